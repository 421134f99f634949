package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
)

// ExportVersion is the version written into exported (and stored) settings documents.
const ExportVersion = 1

// document is the export and storage shape: the settings groups at the top level next to "version".
type document struct {
	Version int `json:"version"`
	Settings
}

// Export encodes s as indented JSON with a "version" field. Settings hold no secret by design; as a second
// guard, a password that slipped into a URL is dropped.
func Export(s Settings) ([]byte, error) {
	s = s.Clone()
	s.RabbitMQ.URL = stripPassword(s.RabbitMQ.URL)
	s.N8N.WebhookURL = stripPassword(s.N8N.WebhookURL)
	s.N8N.HealthURL = stripPassword(s.N8N.HealthURL)
	out, err := json.MarshalIndent(document{Version: ExportVersion, Settings: s}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	return append(out, '\n'), nil
}

// stripPassword removes the password from a URL's user info; anything unparsable is returned unchanged.
func stripPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, set := u.User.Password(); !set {
		return raw
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// ImportResult is what Import read.
type ImportResult struct {
	// Settings are the imported settings, missing fields filled from Defaults; they validate clean.
	Settings Settings
	// Secrets found in a seed config.json, keyed by Secret* (e.g. "elevenlabs.api_key"). The caller moves them
	// into the keychain; they never appear in Settings.
	Secrets map[string]string
	// Warnings name fields that were ignored or changed in meaning.
	Warnings []string
}

// Import reads settings exported by Export, or the Python integration layer's flat config.json (recognized
// by keys such as "n8n_webhook_url"). Fields missing from the file keep their defaults. Unknown fields in our
// shape, wrong types and invalid values are reported as ValidationErrors (wrapped; use errors.As).
func Import(data []byte) (ImportResult, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return ImportResult{}, fmt.Errorf("import settings: %w", describeJSONError(data, err))
	}
	if top == nil {
		return ImportResult{}, errors.New("import settings: the file must hold a JSON object, not null")
	}
	var res ImportResult
	var err error
	if isSeedShape(top) {
		res, err = importSeed(top)
	} else {
		res, err = importOwn(data, top)
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import settings: %w", err)
	}
	if err := res.Settings.Validate(); err != nil {
		return ImportResult{}, fmt.Errorf("import settings: %w", err)
	}
	return res, nil
}

// describeJSONError turns encoding/json's errors into a sentence with a line and column.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := lineCol(data, syn.Offset)
		return fmt.Errorf("not valid JSON at line %d, column %d: %w", line, col, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field == "" {
		return fmt.Errorf("the file must hold a JSON object, not a %s", typ.Value)
	}
	return fmt.Errorf("not valid JSON: %w", err)
}

// lineCol converts a byte offset into 1-based line and column numbers.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:max(offset, 0)]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// importOwn reads our export shape onto Defaults.
func importOwn(data []byte, top map[string]json.RawMessage) (ImportResult, error) {
	res := ImportResult{Secrets: map[string]string{}}
	var unknown []string
	for key, raw := range top {
		if key == "version" {
			continue
		}
		unknown = append(unknown, unknownFields(raw, key)...)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		verrs := make(ValidationErrors, len(unknown))
		for i, f := range unknown {
			msg := f + " is not a TonnyTray setting (a typo, or a file from a newer version)."
			if looksLikeCredential(f[strings.LastIndexByte(f, '.')+1:]) {
				msg = f + " looks like a secret; settings files never carry secrets — enter it in its keychain field instead."
			}
			verrs[i] = FieldError{Field: f, Message: msg}
		}
		return res, verrs
	}
	switch raw, ok := top["version"]; {
	case !ok:
		res.Warnings = append(res.Warnings, fmt.Sprintf("the file has no version; read as version %d", ExportVersion))
	default:
		var v int
		if err := json.Unmarshal(raw, &v); err != nil || v < 1 {
			return res, ValidationErrors{{Field: "version", Message: "version must be a positive whole number."}}
		}
		if v > ExportVersion {
			return res, ValidationErrors{{Field: "version", Message: fmt.Sprintf(
				"version is %d: the file comes from a newer TonnyTray; this one reads up to version %d.", v, ExportVersion)}}
		}
	}
	// Decoding into Settings itself (not document) keeps type-error paths free of a "Settings." prefix;
	// "version" has been checked above.
	st := Defaults()
	if err := json.Unmarshal(data, &st); err != nil {
		return res, typeError(err)
	}
	res.Settings = st.Clone() // a null extra_args becomes []
	return res, nil
}

// typeError names the field of a json type mismatch.
func typeError(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return ValidationErrors{{Field: typ.Field, Message: fmt.Sprintf("%s must be %s, not a JSON %s.",
			typ.Field, kindName(typ.Type), typ.Value)}}
	}
	return fmt.Errorf("read settings: %w", err)
}

// kindName describes a Go type to a user.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// unknownFields lists json paths in raw (the value of top-level key) that Settings does not have. Values of
// the wrong JSON type are left to json.Unmarshal, which reports them with their path.
func unknownFields(raw json.RawMessage, key string) []string {
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		if jsonName(t.Field(i)) == key {
			return unknownIn(raw, t.Field(i).Type, key)
		}
	}
	return []string{key}
}

func unknownIn(raw json.RawMessage, t reflect.Type, prefix string) []string {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	fields := map[string]reflect.StructField{}
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			fields[name] = t.Field(i)
		}
	}
	var out []string
	for k, v := range obj {
		sf, ok := fields[k]
		if !ok {
			out = append(out, prefix+"."+k)
			continue
		}
		out = append(out, unknownIn(v, sf.Type, prefix+"."+k)...)
	}
	return out
}
