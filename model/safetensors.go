package model

import (
	"github.com/ascent-rl/ascent/internal/atomicfile"

	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header {"__metadata__": {...}, name: {"dtype", "shape",
// "data_offsets": [begin, end]}}, then the raw little-endian tensor bytes; offsets are relative to
// the end of the header and the tensors tile the data section without gaps.

// maxHeaderBytes bounds the JSON header read from a file (the reference implementation uses 100 MB).
const maxHeaderBytes = 100 << 20

// Safetensors dtype names this package reads (F32, BF16, F16) and writes (F32, BF16).
const (
	DtypeF32  = "F32"
	DtypeBF16 = "BF16"
	DtypeF16  = "F16"
)

// ParseDtype normalises a dtype name: "float32"/"f32"/"F32" → F32, "bfloat16"/"bf16"/"BF16" → BF16,
// "float16"/"f16"/"F16" → F16. Any other name is an error listing the valid ones.
func ParseDtype(s string) (string, error) {
	switch strings.ToLower(s) {
	case "f32", "float32", "fp32":
		return DtypeF32, nil
	case "bf16", "bfloat16":
		return DtypeBF16, nil
	case "f16", "float16", "fp16", "half":
		return DtypeF16, nil
	}
	return "", fmt.Errorf("unknown dtype %q; known: float32 (F32), bfloat16 (BF16), float16 (F16)", s)
}

// torchDtype returns config.json's torch_dtype for a safetensors dtype.
func torchDtype(d string) string {
	switch d {
	case DtypeBF16:
		return "bfloat16"
	case DtypeF16:
		return "float16"
	}
	return "float32"
}

func dtypeSize(d string) int {
	if d == DtypeF32 {
		return 4
	}
	return 2
}

// headerEntry is one tensor's record in a safetensors header.
type headerEntry struct {
	Dtype       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// stFile is a parsed safetensors header.
type stFile struct {
	path     string
	dataBase int64                  // file offset of the data section (8 + header length)
	entries  map[string]headerEntry // by tensor name
	meta     map[string]string      // __metadata__
}

// readHeader opens path and parses and checks its header: every tensor's byte range matches its
// dtype and shape, the ranges tile the data section, and the file is exactly as long as the header
// says (a truncated file is an error naming the tensor that runs past its end).
func readHeader(f io.Reader, size int64, path string) (*stFile, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("file is %d bytes; expected at least 8 (header length)", size)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderBytes || int64(n) > size-8 {
		return nil, fmt.Errorf("header length %d does not fit (file is %d bytes, limit %d)", n, size, maxHeaderBytes)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	out := &stFile{path: path, dataBase: 8 + int64(n), entries: map[string]headerEntry{}}
	type span struct {
		name       string
		begin, end int
	}
	var spans []span
	for name, v := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(v, &out.meta); err != nil {
				return nil, fmt.Errorf("header __metadata__: expected an object of strings: %w", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("header entry for tensor %s: %w", name, err)
		}
		switch e.Dtype {
		case DtypeF32, DtypeBF16, DtypeF16:
		default:
			return nil, fmt.Errorf("tensor %s has dtype %q; expected F32, BF16 or F16", name, e.Dtype)
		}
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("tensor %s has shape %v; expected non-negative dimensions", name, e.Shape)
			}
			if d > 0 && count > size/int64(d) { // more elements than the file has bytes (and no overflow)
				return nil, fmt.Errorf("tensor %s has shape %v, more values than the %d-byte file holds", name, e.Shape, size)
			}
			count *= int64(d)
		}
		want := int(count) * dtypeSize(e.Dtype)
		if b, en := e.DataOffsets[0], e.DataOffsets[1]; b < 0 || en-b != want {
			return nil, fmt.Errorf("tensor %s: data_offsets %v span %d bytes; expected %d for %s %v",
				name, e.DataOffsets, en-b, want, e.Dtype, e.Shape)
		}
		out.entries[name] = e
		spans = append(spans, span{name, e.DataOffsets[0], e.DataOffsets[1]})
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	pos := 0
	for _, s := range spans {
		if s.begin != pos {
			return nil, fmt.Errorf("tensor %s starts at data offset %d; expected %d (tensors must tile the data without gaps or overlaps)", s.name, s.begin, pos)
		}
		if out.dataBase+int64(s.end) > size {
			return nil, fmt.Errorf("file is truncated: tensor %s ends at byte %d, file has %d bytes", s.name, out.dataBase+int64(s.end), size)
		}
		pos = s.end
	}
	if end := out.dataBase + int64(pos); end != size {
		return nil, fmt.Errorf("file has %d bytes; header describes %d (trailing data)", size, end)
	}
	return out, nil
}

// ReadSafetensors reads every tensor of a safetensors file, widened to float32. It returns an error
// naming the file (and the tensor) if the file is malformed, truncated or holds an unsupported dtype.
func ReadSafetensors(path string) (map[string]*Tensor, error) {
	ts, _, err := readSafetensors(path)
	return ts, err
}

// readSafetensors also returns each tensor's on-disk dtype.
func readSafetensors(path string) (map[string]*Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors: %w", err)
	}
	return decodeSafetensors(f, st.Size(), path)
}

// decodeSafetensors reads a safetensors stream of size bytes (path is for messages).
func decodeSafetensors(f io.Reader, size int64, path string) (map[string]*Tensor, map[string]string, error) {
	h, err := readHeader(f, size, path)
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors %s: %w", path, err)
	}
	names := make([]string, 0, len(h.entries))
	for name := range h.entries {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return h.entries[names[i]].DataOffsets[0] < h.entries[names[j]].DataOffsets[0] })
	r := bufio.NewReaderSize(f, 1<<20) // positioned at the data section: the header was read exactly
	ts := make(map[string]*Tensor, len(names))
	dtypes := make(map[string]string, len(names))
	var buf []byte
	for _, name := range names {
		e := h.entries[name]
		nb := e.DataOffsets[1] - e.DataOffsets[0]
		if cap(buf) < nb {
			buf = make([]byte, nb)
		}
		buf = buf[:nb]
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, nil, fmt.Errorf("read safetensors %s: tensor %s: %w", path, name, err)
		}
		t := NewTensor(e.Shape...)
		decode(t.Data, buf, e.Dtype)
		ts[name], dtypes[name] = t, e.Dtype
	}
	return ts, dtypes, nil
}

// decode widens little-endian bytes of dtype d into dst.
func decode(dst []float32, src []byte, d string) {
	switch d {
	case DtypeF32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case DtypeBF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
		}
	case DtypeF16:
		for i := range dst {
			dst[i] = f16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	}
}

// encode narrows src to little-endian bytes of dtype d (F32 or BF16) appended to dst.
func encode(dst []byte, src []float32, d string) []byte {
	switch d {
	case DtypeBF16:
		for _, v := range src {
			dst = binary.LittleEndian.AppendUint16(dst, F32ToBF16(v))
		}
	default:
		for _, v := range src {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
		}
	}
	return dst
}

// F32ToBF16 rounds a float32 to bfloat16 bits (round to nearest, ties to even; NaN stays NaN), as
// PyTorch's .to(torch.bfloat16) does.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 { // NaN: keep it quiet and non-zero
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// RoundBF16 returns f rounded to the nearest bfloat16 value, as a float32.
func RoundBF16(f float32) float32 { return math.Float32frombits(uint32(F32ToBF16(f)) << 16) }

// f16ToF32 widens IEEE half-precision bits.
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = frac · 2^-24
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}

// WriteSafetensors writes tensors to path atomically (temporary file + rename) in dtype ("float32"
// or "bfloat16", see ParseDtype), sorted by name, with metadata {"format": "pt"} as transformers
// writes it.
func WriteSafetensors(path string, tensors map[string]*Tensor, dtype string) error {
	d, err := ParseDtype(dtype)
	if err != nil {
		return fmt.Errorf("write safetensors %s: %w", path, err)
	}
	if d == DtypeF16 {
		return fmt.Errorf("write safetensors %s: dtype F16 is read-only here; write float32 or bfloat16", path)
	}
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	return writeSafetensors(path, names, tensors, d)
}

// writeSafetensors writes the named tensors, in the given order, to path atomically.
func writeSafetensors(path string, names []string, tensors map[string]*Tensor, d string) error {
	hdr := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for _, name := range names {
		t := tensors[name]
		if t == nil {
			return fmt.Errorf("write safetensors %s: tensor %s is nil", path, name)
		}
		if n := numel(t.Shape); n != len(t.Data) {
			return fmt.Errorf("write safetensors %s: tensor %s has shape %v but %d values", path, name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		nb := len(t.Data) * dtypeSize(d)
		hdr[name] = headerEntry{Dtype: d, Shape: shape, DataOffsets: [2]int{off, off + nb}}
		off += nb
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return fmt.Errorf("write safetensors %s: %w", path, err)
	}
	for len(js)%8 != 0 { // pad with spaces so that the data section is 8-byte aligned, as HF does
		js = append(js, ' ')
	}
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error {
		var lenBuf [8]byte
		binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
		if _, err := w.Write(lenBuf[:]); err != nil {
			return err
		}
		if _, err := w.Write(js); err != nil {
			return err
		}
		var buf []byte
		const chunk = 1 << 16
		for _, name := range names {
			data := tensors[name].Data
			for i := 0; i < len(data); i += chunk {
				buf = encode(buf[:0], data[i:min(i+chunk, len(data))], d)
				if _, err := w.Write(buf); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write safetensors: %w", err)
	}
	return nil
}
