package wlksim

import "testing"

// The expected strings were produced by the real format_time (v0.2.20+) and
// str(timedelta(seconds=int(s))) under CPython 3.
func TestFormatTime(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0:00:00.00"},
		{0.004, "0:00:00.00"},
		{0.005, "0:00:00.00"}, // half to even
		{0.015, "0:00:00.02"},
		{0.025, "0:00:00.02"},
		{1.005, "0:00:01.00"}, // 100.49999… in binary
		{2.675, "0:00:02.68"},
		{5.32, "0:00:05.32"},
		{59.994, "0:00:59.99"},
		{59.995, "0:01:00.00"},
		{59.999, "0:01:00.00"},
		{3723.4, "1:02:03.40"},
		{36000, "10:00:00.00"},
		{90061.5, "25:01:01.50"}, // no day rollover
		{-1, "0:00:00.00"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.in); got != tt.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatTimeLegacy(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0:00:00"},
		{3.99, "0:00:03"}, // truncated, not rounded
		{59.999, "0:00:59"},
		{3723.9, "1:02:03"},
		{86399.9, "23:59:59"},
		{86400, "1 day, 0:00:00"},
		{2*86400 + 3661, "2 days, 1:01:01"},
	}
	for _, tt := range tests {
		if got := FormatTimeLegacy(tt.in); got != tt.want {
			t.Errorf("FormatTimeLegacy(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEncodeMatchesStarlette(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{obj{{"a", 1}, {"b", "x<y>&é"}, {"c", pyFloat(0)}, {"d", pyFloat(0.3)}, {"e", nil}, {"f", true}},
			`{"a":1,"b":"x<y>&é","c":0.0,"d":0.3,"e":null,"f":true}`},
		{obj{{"lines", []obj{}}}, `{"lines":[]}`},
		{pyFloat(2.1), `2.1`},
		{pyFloat(12), `12.0`},
	}
	for _, tt := range tests {
		if got := string(marshal(tt.in)); got != tt.want {
			t.Errorf("marshal(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want version
		ok   bool
	}{
		{"0.2.26", version{0, 2, 26}, true},
		{"v0.2.20", version{0, 2, 20}, true},
		{"0.2.17.post1", version{0, 2, 17}, true},
		{"0.2", version{}, false},
		{"0.x.1", version{}, false},
	}
	for _, tt := range tests {
		got, err := parseVersion(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("parseVersion(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if err := (Config{Version: "latest"}).Validate(); err == nil {
		t.Error("Validate accepted version \"latest\"")
	}
}
