package env

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServerBodies sends arbitrary bodies to the create and batch-step routes: the server must
// answer valid JSON with 200 or 400, never panic.
func FuzzServerBodies(f *testing.F) {
	f.Add(`{"suite":"pick","task_id":0,"trial_id":1}`, `{"items":[{"env_id":"x","actions":[[0,0,0,0]]}]}`)
	f.Add(`{"suite":"long","task_id":9,"trial_id":5000,"config":{"resolution":8,"chunk_len":3}}`, `{"items":[{"env_id":"ID","actions":[[1e40,0,0,0],[0,0]]}],"record_frames":true}`)
	f.Add(`{"suite":"push","task_id":-1}`, `{"items":null}`)
	f.Add(`[]`, `{"items":[{"env_id":"ID","actions":[]}]}`)
	srv := NewServer(SimCatalog{})
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, create, step string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PathEnvs, strings.NewReader(create)))
		check(t, rec)
		var cr CreateResponse
		json.Unmarshal(rec.Body.Bytes(), &cr)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PathBatchStep, strings.NewReader(strings.ReplaceAll(step, "ID", cr.EnvID))))
		check(t, rec)
		if cr.EnvID != "" {
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, PathEnvs+"/"+cr.EnvID, nil))
			check(t, rec)
		}
	})
}

func check(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != 200 && rec.Code != 400 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("invalid JSON answer %q", rec.Body)
	}
}

// FuzzDecodeImage checks that any wire image either decodes to its declared shape or errors.
func FuzzDecodeImage(f *testing.F) {
	f.Add(2, 2, 3, "raw", []byte("abcdefghijkl"))
	f.Add(1, 1, 3, "png", []byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, h, w, c int, enc string, data []byte) {
		img, err := DecodeImage(WireImage{Height: h, Width: w, Channels: c, Encoding: enc, Data: data})
		if err == nil && (img.Rect.Dx() != w || img.Rect.Dy() != h) {
			t.Fatalf("decoded %v for %dx%d", img.Rect, h, w)
		}
	})
}
