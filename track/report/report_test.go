package report

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/track/tracktest"
)

func TestReportIsSelfContainedWithDecodablePNGs(t *testing.T) {
	root := t.TempDir()
	tracktest.WriteRun(t, root, "r1", 30, true)
	out := filepath.Join(t.TempDir(), "r1.html")
	pngs, err := Write(root, "r1", out)
	if err != nil {
		t.Fatal(err)
	}
	if len(pngs) < 10 { // 11 run charts with data (+ the law) minus none
		t.Fatalf("got %d PNGs: %v", len(pngs), pngs)
	}
	for _, p := range pngs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Fatalf("%s: not a usable PNG (%v)", p, err)
		}
	}
	html, _ := os.ReadFile(out)
	s := string(html)
	for _, want := range []string{"data:image/png;base64,", "Entropy–performance law", "ceiling", "eval_after", "r1_entropy_law.png"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(s, bad) {
			t.Errorf("report is not self-contained: contains %q", bad)
		}
	}
}

func TestReportOfAnUnknownRunSaysSo(t *testing.T) {
	_, err := Write(t.TempDir(), "ghost", filepath.Join(t.TempDir(), "x.html"))
	if err == nil || !strings.Contains(err.Error(), `unknown run "ghost"`) {
		t.Fatalf("err = %v", err)
	}
}
