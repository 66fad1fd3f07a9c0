package track

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// TensorBoard event files, written by hand (no generated protobuf code).
//
// File framing (TFRecord), for each record:
//
//	uint64 length (little endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
//
// with masked_crc(x) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 and CRC32C the Castagnoli CRC.
// Each record is a tensorflow.Event protobuf; the fields used:
//
//	Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//	Summary { repeated Value value = 1; }
//	Value   { string tag = 1; float simple_value = 2; }
//
// The first record of a file is an Event with file_version "brain.Event:2".

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's masked CRC32C.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// tfRecord frames one record.
func tfRecord(data []byte) []byte {
	out := make([]byte, 0, len(data)+16)
	var l [8]byte
	binary.LittleEndian.PutUint64(l[:], uint64(len(data)))
	out = append(out, l[:]...)
	out = binary.LittleEndian.AppendUint32(out, maskedCRC(l[:]))
	out = append(out, data...)
	return binary.LittleEndian.AppendUint32(out, maskedCRC(data))
}

// Protobuf wire helpers: key = field<<3 | wiretype.
func pbVarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func pbKey(b []byte, field, wire int) []byte { return pbVarint(b, uint64(field<<3|wire)) }

func pbBytes(b []byte, field int, v []byte) []byte {
	b = pbKey(b, field, 2)
	b = pbVarint(b, uint64(len(v)))
	return append(b, v...)
}

// encodeEvent builds an Event. fileVersion is set only when non-empty; values are written as a
// Summary of simple_value scalars in tag order.
func encodeEvent(wall time.Time, step int64, fileVersion string, values map[string]float64) []byte {
	var ev []byte
	ev = pbKey(ev, 1, 1) // wall_time: double, fixed64
	ev = binary.LittleEndian.AppendUint64(ev, math.Float64bits(float64(wall.UnixNano())/1e9))
	if step != 0 {
		ev = pbKey(ev, 2, 0) // step: int64 varint (two's complement for negatives)
		ev = pbVarint(ev, uint64(step))
	}
	if fileVersion != "" {
		ev = pbBytes(ev, 3, []byte(fileVersion))
	}
	if len(values) > 0 {
		tags := make([]string, 0, len(values))
		for k := range values {
			tags = append(tags, k)
		}
		sort.Strings(tags)
		var sum []byte
		for _, tag := range tags {
			var v []byte
			v = pbBytes(v, 1, []byte(tag))
			v = pbKey(v, 2, 5) // simple_value: float, fixed32
			v = binary.LittleEndian.AppendUint32(v, math.Float32bits(float32(values[tag])))
			sum = pbBytes(sum, 1, v)
		}
		ev = pbBytes(ev, 5, sum)
	}
	return ev
}

// tbWriter appends scalar events to one event file.
type tbWriter struct {
	f *os.File
}

// newTBWriter creates events.out.tfevents.<unix>.<host>.<pid> in dir and writes the file_version event.
func newTBWriter(dir string, now time.Time) (*tbWriter, error) {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	name := fmt.Sprintf("events.out.tfevents.%010d.%s.%d", now.Unix(), host, os.Getpid())
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create tensorboard file: %w", err)
	}
	w := &tbWriter{f: f}
	if err := w.write(encodeEvent(now, 0, "brain.Event:2", nil)); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func (w *tbWriter) write(event []byte) error {
	if _, err := w.f.Write(tfRecord(event)); err != nil {
		return fmt.Errorf("write %s: %w", w.f.Name(), err)
	}
	return nil
}

// scalars writes one event holding every value of a step.
func (w *tbWriter) scalars(now time.Time, step int, values map[string]float64) error {
	return w.write(encodeEvent(now, int64(step), "", values))
}

func (w *tbWriter) sync() error { return w.f.Sync() }

func (w *tbWriter) close() error { return w.f.Close() }

// tbFiles lists the TensorBoard event files of a run directory.
func tbFiles(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if err != nil {
		return nil, fmt.Errorf("list tensorboard files in %s: %w", dir, err)
	}
	return m, nil
}
