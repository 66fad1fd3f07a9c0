package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckpointRoundTrips(t *testing.T) {
	cfg := TinyConfig()
	cfg.NumKeyValueHeads = 2
	tied := cfg
	tied.TieWordEmbeddings = true
	llama := cfg
	llama.ModelType, llama.AttentionBias = "llama", false
	cases := []struct {
		name    string
		cfg     Config
		dtype   string
		shard   int64
		sharded bool // more than one file expected
	}{
		{"float32 in a single file loads identical", cfg, "float32", 0, false},
		{"bfloat16 in a single file loads within bf16 rounding", cfg, "bfloat16", 0, false},
		{"float32 in shards loads identical", cfg, "float32", 400_000, true},
		{"bfloat16 in shards loads within bf16 rounding", tied, "bfloat16", 200_000, true},
		{"llama without biases loads identical", llama, "float32", 0, false},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // mostly waiting on fsync and python3
			p := scrambled(tc.cfg, uint64(ci+10))
			dir := t.TempDir()
			if err := p.SaveWith(dir, SaveOptions{Dtype: tc.dtype, ShardBytes: tc.shard}); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
			if (len(files) > 1) != tc.sharded || (!tc.sharded && filepath.Base(files[0]) != WeightsFile) {
				t.Fatalf("wrote safetensors files %v; want sharded=%v", files, tc.sharded)
			}
			q, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			bf16 := tc.dtype == "bfloat16"
			for name, want := range p.Named() {
				got := q.Named()[name]
				if got == nil || !sameShape(got.Shape, want.Shape) {
					t.Fatalf("tensor %s: got %v, want shape %v", name, got, want.Shape)
				}
				for i, v := range want.Data {
					w := v
					if bf16 {
						w = RoundBF16(v)
					}
					if got.Data[i] != w {
						t.Fatalf("tensor %s[%d] = %v, want %v", name, i, got.Data[i], w)
					}
				}
			}
			if q.Config.TorchDtype != tc.dtype {
				t.Fatalf("loaded torch_dtype %q, want %q", q.Config.TorchDtype, tc.dtype)
			}
			toks := []int{1, 5, 9, 2, 7}
			a, _ := p.Forward(toks)
			b, err := q.Forward(toks)
			if err != nil {
				t.Fatal(err)
			}
			tol := 1e-6
			if bf16 {
				tol = 0.05 // bf16 has 8 bits of mantissa
			}
			if d := maxRelDiff(t, b[len(toks)-1], a[len(toks)-1]); d > tol {
				t.Fatalf("logits after the round trip differ by %.3g", d)
			}
			checkWithPython(t, dir)
		})
	}
}

// checkWithPython runs testdata/check_safetensors.py, an independent stdlib-only parser, on dir.
func checkWithPython(t *testing.T, dir string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not found: skipping the independent safetensors header check")
		return
	}
	out, err := exec.Command(py, "testdata/check_safetensors.py", dir).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("check_safetensors.py %s: %v\n%s", dir, err, out)
	}
}

func TestResavingSwitchesLayoutCleanly(t *testing.T) {
	p := NewRandom(TinyConfig(), 3)
	dir := t.TempDir()
	if err := p.SaveWith(dir, SaveOptions{ShardBytes: 300_000}); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(dir, "float32"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "config.json,model.safetensors" {
		t.Fatalf("directory holds %v after re-saving unsharded", names)
	}
	if err := p.SaveWith(dir, SaveOptions{ShardBytes: 300_000}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); !os.IsNotExist(err) {
		t.Fatal("model.safetensors left beside the shards")
	}
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}
}

// rewrite loads dir's single safetensors file, lets edit change the tensors, and writes it back.
func rewrite(t *testing.T, dir string, edit func(map[string]*Tensor)) {
	t.Helper()
	path := filepath.Join(dir, WeightsFile)
	ts, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(ts)
	if err := WriteSafetensors(path, ts, "float32"); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsBadCheckpoints(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string
	}{
		{"a missing tensor is named", func(t *testing.T, dir string) {
			rewrite(t, dir, func(m map[string]*Tensor) { delete(m, "model.layers.1.mlp.up_proj.weight") })
		}, []string{"model.layers.1.mlp.up_proj.weight", "missing", "[512 128]"}},
		{"an unexpected tensor is named", func(t *testing.T, dir string) {
			rewrite(t, dir, func(m map[string]*Tensor) { m["model.layers.2.mlp.up_proj.weight"] = NewTensor(3) })
		}, []string{"model.layers.2.mlp.up_proj.weight", "unexpected", "model.safetensors"}},
		{"a wrong shape is named with the expected one", func(t *testing.T, dir string) {
			rewrite(t, dir, func(m map[string]*Tensor) { m["model.norm.weight"] = NewTensor(127) })
		}, []string{"model.norm.weight", "[127]", "expected [128]"}},
		{"a truncated file names the tensor cut off", func(t *testing.T, dir string) {
			path := filepath.Join(dir, WeightsFile)
			st, _ := os.Stat(path)
			if err := os.Truncate(path, st.Size()-10); err != nil {
				t.Fatal(err)
			}
		}, []string{"truncated", "model.safetensors"}},
		{"an unsupported dtype is named", func(t *testing.T, dir string) {
			path := filepath.Join(dir, WeightsFile)
			data, _ := os.ReadFile(path)
			n := binary.LittleEndian.Uint64(data)
			hdr := strings.Replace(string(data[8:8+n]), `"F32"`, `"I64"`, 1)
			os.WriteFile(path, append(append(data[:8:8], hdr...), data[8+n:]...), 0o644)
		}, []string{"dtype \"I64\"", "expected F32, BF16 or F16"}},
		{"garbage instead of a header is an error", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, WeightsFile), []byte("not a safetensors file at all"), 0o644)
		}, []string{"header length"}},
		{"a missing config is an error", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, ConfigFile))
		}, []string{"config.json"}},
		{"a config for another architecture is an error", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"model_type": "gpt2", "vocab_size": 64}`), 0o644)
		}, []string{"config.json", "model_type", "gpt2", "llama, qwen2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // mostly waiting on fsync and python3
			dir := t.TempDir()
			if err := NewRandom(TinyConfig(), 1).Save(dir, "float32"); err != nil {
				t.Fatal(err)
			}
			tc.break_(t, dir)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load accepted a broken checkpoint")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
			// The independent Python checker must reject the same checkpoint.
			if py, err := exec.LookPath("python3"); err == nil {
				if out, err := exec.Command(py, "testdata/check_safetensors.py", dir).CombinedOutput(); err == nil {
					t.Fatalf("check_safetensors.py accepted the broken checkpoint: %s", out)
				}
			}
		})
	}
}

func TestSafetensorsReadsF16AndWritesHFHeaders(t *testing.T) {
	// A hand-built F16 file: 1.0, -2.5, 65504 (max half), 2^-24 (smallest subnormal).
	data := []uint16{0x3c00, 0xc100, 0x7bff, 0x0001}
	hdr := `{"x":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}`
	buf := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	buf = append(buf, hdr...)
	for _, h := range data {
		buf = binary.LittleEndian.AppendUint16(buf, h)
	}
	path := filepath.Join(t.TempDir(), "h.safetensors")
	os.WriteFile(path, buf, 0o644)
	ts, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, -2.5, 65504, float32(math.Ldexp(1, -24))}
	for i, v := range want {
		if ts["x"].Data[i] != v {
			t.Fatalf("f16 value %d = %v, want %v", i, ts["x"].Data[i], v)
		}
	}
	out := filepath.Join(t.TempDir(), "o.safetensors")
	if err := WriteSafetensors(out, map[string]*Tensor{"b": NewTensor(3), "a": NewTensor(1, 2)}, "bf16"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(out)
	n := binary.LittleEndian.Uint64(raw)
	var h map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	if string(h["__metadata__"]) != `{"format":"pt"}` || (8+n)%8 != 0 {
		t.Fatalf("header %s (length %d)", raw[8:8+n], n)
	}
	if err := WriteSafetensors(out, map[string]*Tensor{"a": {Shape: []int{2}, Data: []float32{1}}}, "float32"); err == nil {
		t.Fatal("a tensor whose data does not match its shape was written")
	}
	if err := WriteSafetensors(out, nil, "int8"); err == nil || !strings.Contains(err.Error(), "bfloat16") {
		t.Fatalf("unknown dtype: err = %v", err)
	}
}

func TestBF16RoundsToNearestEven(t *testing.T) {
	cases := []struct {
		in   uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, // 1.0 exactly
		{0x3f808000, 0x3f80}, // halfway, even stays
		{0x3f818000, 0x3f82}, // halfway, odd rounds up
		{0x3f808001, 0x3f81}, // above halfway
		{0x7f7fffff, 0x7f80}, // max float32 overflows to +Inf, as PyTorch does
		{0x7fc00001, 0x7fc0}, // NaN stays NaN
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("F32ToBF16(%#x) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

func FuzzReadSafetensors(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.safetensors")
	WriteSafetensors(path, map[string]*Tensor{"a": NewTensor(2, 3), "b": NewTensor(4)}, "bf16")
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, _, err := decodeSafetensors(bytes.NewReader(data), int64(len(data)), "fuzz") // must not panic
		for name, x := range ts {
			if err != nil || len(x.Data) != numel(x.Shape) {
				t.Fatalf("tensor %s: shape %v with %d values (err %v)", name, x.Shape, len(x.Data), err)
			}
		}
	})
}
