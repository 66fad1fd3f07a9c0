package local

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
)

// A minimal float32 safetensors reader and writer for the engine's own state file (optimizer
// moments, heads). Model weights go through the model package's Hugging Face I/O.

// stEntry is one tensor of a safetensors header.
type stEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// writeSafetensors writes float32 tensors and string metadata to path (not atomically: the caller
// writes into a temporary directory).
func writeSafetensors(path string, ts map[string]stTensor, meta map[string]string) error {
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	off := 0
	for _, n := range names {
		t := ts[n]
		header[n] = stEntry{DType: "F32", Shape: t.shape, Offsets: [2]int{off, off + 4*len(t.data)}}
		off += 4 * len(t.data)
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	buf := make([]byte, 8, 8+len(hb)+off)
	binary.LittleEndian.PutUint64(buf, uint64(len(hb)))
	buf = append(buf, hb...)
	for _, n := range names {
		for _, x := range ts[n].data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// stTensor is a float32 tensor read from or written to a safetensors file.
type stTensor struct {
	shape []int
	data  []float32
}

// readSafetensors reads every F32 tensor and the metadata of path.
func readSafetensors(path string) (map[string]stTensor, map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) < 8 {
		return nil, nil, fmt.Errorf("read %s: %d bytes, too short for a safetensors header", path, len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("read %s: header length %d exceeds file size %d", path, n, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return nil, nil, fmt.Errorf("read %s: header: %w", path, err)
	}
	data := b[8+n:]
	ts := map[string]stTensor{}
	var meta map[string]string
	for name, r := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(r, &meta); err != nil {
				return nil, nil, fmt.Errorf("read %s: metadata: %w", path, err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(r, &e); err != nil {
			return nil, nil, fmt.Errorf("read %s: tensor %s: %w", path, name, err)
		}
		if e.DType != "F32" {
			return nil, nil, fmt.Errorf("read %s: tensor %s has dtype %s, expected F32", path, name, e.DType)
		}
		size := 1
		for _, d := range e.Shape {
			size *= d
		}
		if e.Offsets[0] < 0 || e.Offsets[1] > len(data) || e.Offsets[1]-e.Offsets[0] != 4*size {
			return nil, nil, fmt.Errorf("read %s: tensor %s: offsets %v do not match shape %v in %d data bytes", path, name, e.Offsets, e.Shape, len(data))
		}
		t := stTensor{shape: e.Shape, data: make([]float32, size)}
		for i := range t.data {
			t.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[e.Offsets[0]+4*i:]))
		}
		ts[name] = t
	}
	return ts, meta, nil
}
