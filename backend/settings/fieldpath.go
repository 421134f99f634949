package settings

import (
	"reflect"
	"strings"
)

// leaf is one settings field addressed by its json path ("audio.mode").
type leaf struct {
	path    string
	restart string // the part named by the field's `restart` tag, or ""
	index   []int  // reflect field index path from Settings
}

// leaves lists every settings field in declaration order. Deriving it from the struct keeps Diff, error
// ordering and load repair in step with the type without a hand-kept table.
func leaves() []leaf {
	var out []leaf
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			name := jsonName(f)
			if name == "" {
				continue
			}
			path := name
			if prefix != "" {
				path = prefix + "." + name
			}
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, path, idx)
				continue
			}
			out = append(out, leaf{path: path, restart: f.Tag.Get("restart"), index: idx})
		}
	}
	walk(reflect.TypeFor[Settings](), "", nil)
	return out
}

// jsonName is the json key of a struct field, or "" when the field is not serialized.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// basePath strips an element suffix: "whisper.extra_args[2]" → "whisper.extra_args".
func basePath(path string) string {
	if i := strings.IndexByte(path, '['); i >= 0 {
		return path[:i]
	}
	return path
}

// resetField puts the default value of the field at path into s. When the field already holds its default
// (the default itself is in conflict, e.g. a hotkey taken by another), it is cleared to its zero value instead.
// It reports whether path named a field.
func resetField(s *Settings, path string) bool {
	path = basePath(path)
	def := reflect.ValueOf(Defaults())
	for _, l := range leaves() {
		if l.path != path {
			continue
		}
		f := reflect.ValueOf(s).Elem().FieldByIndex(l.index)
		if d := def.FieldByIndex(l.index); !equalValue(f, d) {
			f.Set(d)
		} else {
			f.SetZero()
		}
		return true
	}
	return false
}
