package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The icon is a microphone (light fill, dark outline, so it reads on light
// and dark panels) with a round badge in the state's colour. Drawn from
// signed distance functions in a unit square and supersampled, so every size
// is crisp without image files.

// iconSizes are the sizes rendered at start; fyne.io/systray takes one PNG,
// so the tray hands it iconSize (hosts scale it; 44 → 22 is an exact halving).
var iconSizes = []int{22, 44}

const iconSize = 44

var (
	outline = color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}
	light   = color.NRGBA{0xf5, 0xf5, 0xf5, 0xff}
	dim     = color.NRGBA{0xb0, 0xb0, 0xb0, 0xff}
	red     = color.NRGBA{0xe5, 0x39, 0x35, 0xff}
	amber   = color.NRGBA{0xff, 0xb3, 0x00, 0xff}
	blue    = color.NRGBA{0x1e, 0x88, 0xe5, 0xff}
	grey    = color.NRGBA{0x75, 0x75, 0x75, 0xff}
	dark    = color.NRGBA{0x8e, 0x1b, 0x1b, 0xff}
)

type sdf func(x, y float64) float64

type layer struct {
	shape sdf
	col   color.NRGBA
}

func circle(cx, cy, r float64) sdf {
	return func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - r }
}

func box(cx, cy, hw, hh float64) sdf {
	return func(x, y float64) float64 {
		dx, dy := math.Abs(x-cx)-hw, math.Abs(y-cy)-hh
		return math.Hypot(math.Max(dx, 0), math.Max(dy, 0)) + math.Min(math.Max(dx, dy), 0)
	}
}

// capsule is a vertical segment (cx, y0)–(cx, y1) thickened by r.
func capsule(cx, y0, y1, r float64) sdf {
	return func(x, y float64) float64 {
		cy := math.Max(y0, math.Min(y1, y))
		return math.Hypot(x-cx, y-cy) - r
	}
}

// ring is a circle line of radius r and half-thickness t, kept only where
// keep(x, y) <= 0.
func ring(cx, cy, r, t float64, keep sdf) sdf {
	return func(x, y float64) float64 {
		return math.Max(math.Abs(math.Hypot(x-cx, y-cy)-r)-t, keep(x, y))
	}
}

func union(s ...sdf) sdf {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, f := range s {
			d = math.Min(d, f(x, y))
		}
		return d
	}
}

func grow(s sdf, by float64) sdf {
	return func(x, y float64) float64 { return s(x, y) - by }
}

const stroke = 0.055 // outline width in unit coordinates

// mic is the glyph, shifted left to leave room for the badge.
var mic = union(
	capsule(0.40, 0.20, 0.44, 0.13),
	ring(0.40, 0.44, 0.23, 0.035, func(x, y float64) float64 { return 0.44 - y }),
	box(0.40, 0.75, 0.035, 0.08),
	box(0.40, 0.84, 0.16, 0.035),
)

func layers(s State) []layer {
	micFill := light
	if s == StateIdle || s == StatePaused || s == StateError {
		micFill = dim
	}
	out := []layer{{grow(mic, stroke), outline}, {mic, micFill}}
	const bx, by, br = 0.72, 0.70, 0.25
	badge := func(c color.NRGBA, glyph ...layer) {
		out = append(out, layer{circle(bx, by, br+stroke), outline}, layer{circle(bx, by, br), c})
		out = append(out, glyph...)
	}
	white := func(s sdf) layer { return layer{s, light} }
	switch s {
	case StateListening:
		badge(red, white(circle(bx, by, 0.08)))
	case StateProcessing:
		badge(amber,
			layer{circle(bx-0.12, by, 0.045), outline},
			layer{circle(bx, by, 0.045), outline},
			layer{circle(bx+0.12, by, 0.045), outline})
	case StateSpeaking:
		right := func(x, y float64) float64 { return math.Abs(y-by) - (x - (bx - 0.12)) }
		badge(blue,
			white(ring(bx-0.12, by, 0.10, 0.03, right)),
			white(ring(bx-0.12, by, 0.19, 0.03, right)))
	case StateError:
		badge(dark, white(box(bx, by-0.06, 0.035, 0.09)), white(circle(bx, by+0.12, 0.04)))
	case StatePaused:
		badge(grey, white(box(bx-0.06, by, 0.035, 0.11)), white(box(bx+0.06, by, 0.035, 0.11)))
	}
	return out
}

// iconPNG renders the icon for state s at size×size pixels.
func iconPNG(s State, size int) []byte {
	ls := layers(s)
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // supersamples per axis
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					for i := len(ls) - 1; i >= 0; i-- { // topmost layer that covers the sample
						if ls[i].shape(x, y) <= 0 {
							c := ls[i].col
							r, g, b, a = r+float64(c.R), g+float64(c.G), b+float64(c.B), a+1
							break
						}
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r/a + 0.5), G: uint8(g/a + 0.5), B: uint8(b/a + 0.5),
				A: uint8(a/(ss*ss)*255 + 0.5),
			})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory cannot fail
	return buf.Bytes()
}
