package tray

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestIconsDistinctPerStateAndSize(t *testing.T) {
	for _, size := range iconSizes {
		seen := map[string]State{}
		for _, s := range allStates {
			data := iconPNG(s, size)
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s@%d: not a PNG: %v", s, size, err)
			}
			if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
				t.Fatalf("%s@%d: bounds %v", s, size, b)
			}
			if opaque(img) < size*size/8 {
				t.Errorf("%s@%d: only %d opaque pixels", s, size, opaque(img))
			}
			if other, dup := seen[string(data)]; dup {
				t.Errorf("%s@%d draws the same as %s", s, size, other)
			}
			seen[string(data)] = s
		}
	}
}

// The glyph must have both a dark outline and a light fill so it reads on
// dark and light panels.
func TestIconHasDarkAndLightPixels(t *testing.T) {
	img, _ := png.Decode(bytes.NewReader(iconPNG(StateIdle, iconSize)))
	var darkPx, lightPx int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a < 0xf000 {
				continue
			}
			switch l := (r + g + bl) / 3; {
			case l < 0x4000:
				darkPx++
			case l > 0xa000:
				lightPx++
			}
		}
	}
	if darkPx == 0 || lightPx == 0 {
		t.Fatalf("dark %d, light %d pixels: want both", darkPx, lightPx)
	}
}

func opaque(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a > 0x8000 {
				n++
			}
		}
	}
	return n
}
