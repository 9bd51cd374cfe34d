package api

import (
	"strings"
	"testing"
	"time"
)

func TestParseChartShapes(t *testing.T) {
	t0 := time.Unix(1780000000, 0)
	cases := map[string]string{
		"sandbox shape":  `{"20001":{"SYS_LNX_CPU_USAGE":{"unit":"%","series":[{"name":"cpu","data":[[1780000000000,12.5],[1780000300000,"13.5"]]}]}}}`,
		"no id level":    `{"SYS_LNX_CPU_USAGE":{"unit":"%","series":[{"name":"cpu","data":[[1780000000,12.5],[1780000300,13.5]]}]}}`,
		"graphite order": `{"20001":{"SYS_LNX_CPU_USAGE":[{"target":"cpu","unit":"%","datapoints":[[12.5,1780000000],[13.5,1780000300],[null,1780000600]]}]}}`,
		"objects":        `{"20001":{"SYS_LNX_CPU_USAGE":{"unit":"%","cpu":[{"timestamp":"2026-05-28T22:26:40.000+0200","value":12.5},{"x":1780000300,"y":13.5}]}}}`,
		"bare points":    `{"20001":{"SYS_LNX_CPU_USAGE":[[1780000300,13.5],[1780000000,12.5]]}}`,
		"other id and G": `{"99":{"cpu_usage":{"unit":"%","points":[[1780000000,12.5],[1780000300,13.5]]}}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			ch, err := ParseChart([]byte(body), 20001, "SYS_LNX_CPU_USAGE")
			if err != nil {
				t.Fatal(err)
			}
			if len(ch.Series) != 1 {
				t.Fatalf("%d series", len(ch.Series))
			}
			s := ch.Series[0]
			if len(s.Points) != 2 || !s.Points[0].Time.Equal(t0) || s.Points[0].Value != 12.5 || s.Points[1].Value != 13.5 {
				t.Fatalf("points %+v", s.Points)
			}
			if name != "bare points" && ch.Unit != "%" {
				t.Fatalf("unit %q", ch.Unit)
			}
		})
	}
}

func TestParseChartRejects(t *testing.T) {
	for _, body := range []string{`not json`, `{"20001":{"G":{"series":[{"data":[[1,2,3]]}]}}}`, `{"20001":{"G":{"series":[{"data":[["x","y"]]}]}}}`} {
		if _, err := ParseChart([]byte(body), 20001, "G"); err == nil {
			t.Errorf("accepted %s", body)
		}
	}
	big := `{"1":{"G":[` + strings.Repeat(`[1780000000,1],`, MaxChartPoints) + `[1780000000,1]]}}`
	if _, err := ParseChart([]byte(big), 1, "G"); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("no bound on points: %v", err)
	}
}
