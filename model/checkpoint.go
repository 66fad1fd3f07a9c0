package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Checkpoint file names, as transformers writes them.
const (
	ConfigFile       = "config.json"
	WeightsFile      = "model.safetensors"
	WeightsIndexFile = "model.safetensors.index.json"
)

// DefaultShardBytes is transformers' default max_shard_size ("5GB").
const DefaultShardBytes = 5_000_000_000

// SaveOptions control how Params are written.
type SaveOptions struct {
	Dtype      string // "float32" or "bfloat16" (ParseDtype names); "" means float32
	ShardBytes int64  // split into model-0000i-of-0000n.safetensors shards above this many bytes; 0 means DefaultShardBytes
}

// indexFile is model.safetensors.index.json.
type indexFile struct {
	Metadata  map[string]any    `json:"metadata"`   // {"total_size": bytes of tensor data}
	WeightMap map[string]string `json:"weight_map"` // tensor name → shard file name
}

// Save writes p to dir as a Hugging Face checkpoint (config.json + model.safetensors, or shards
// with model.safetensors.index.json above DefaultShardBytes) in dtype "float32" or "bfloat16".
func (p *Params) Save(dir string, dtype string) error {
	return p.SaveWith(dir, SaveOptions{Dtype: dtype})
}

// SaveWith writes p to dir (created if needed) with explicit options. Every file is written
// atomically (temporary file + rename): the weights first, then the index, then config.json; weight
// files of an earlier save in the other layout (single vs sharded) are removed last so that a
// loader never sees both.
func (p *Params) SaveWith(dir string, opt SaveOptions) error {
	if opt.Dtype == "" {
		opt.Dtype = "float32"
	}
	d, err := ParseDtype(opt.Dtype)
	if err != nil || d == DtypeF16 {
		return fmt.Errorf("save checkpoint %s: dtype %q: expected float32 or bfloat16", dir, opt.Dtype)
	}
	if opt.ShardBytes <= 0 {
		opt.ShardBytes = DefaultShardBytes
	}
	if err := p.Check(); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	specs := Layout(p.Config)
	named := p.Named()
	var shards [][]string // tensor names per shard, in Layout order
	var cur []string
	var curBytes, total int64
	for _, s := range specs {
		nb := int64(numel(s.Shape) * dtypeSize(d))
		if len(cur) > 0 && curBytes+nb > opt.ShardBytes {
			shards, cur, curBytes = append(shards, cur), nil, 0
		}
		cur, curBytes, total = append(cur, s.Name), curBytes+nb, total+nb
	}
	shards = append(shards, cur)
	oldIndex := readIndexNames(dir)
	if len(shards) == 1 {
		if err := writeSafetensors(filepath.Join(dir, WeightsFile), sorted(shards[0]), named, d); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	} else {
		idx := indexFile{Metadata: map[string]any{"total_size": total}, WeightMap: map[string]string{}}
		for i, names := range shards {
			file := fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(shards))
			if err := writeSafetensors(filepath.Join(dir, file), sorted(names), named, d); err != nil {
				return fmt.Errorf("save checkpoint: %w", err)
			}
			for _, n := range names {
				idx.WeightMap[n] = file
			}
		}
		js, err := json.MarshalIndent(idx, "", "  ")
		if err != nil {
			return fmt.Errorf("save checkpoint %s: %w", dir, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, WeightsIndexFile), append(js, '\n')); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	}
	cfg := p.Config
	cfg.TorchDtype = torchDtype(d)
	if err := cfg.Save(filepath.Join(dir, ConfigFile)); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	// Remove what an earlier save left in the other layout.
	keep := map[string]bool{}
	if len(shards) == 1 {
		keep[WeightsFile] = true
		os.Remove(filepath.Join(dir, WeightsIndexFile))
	} else {
		for i := range shards {
			keep[fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(shards))] = true
		}
		os.Remove(filepath.Join(dir, WeightsFile))
	}
	for _, f := range oldIndex {
		if !keep[f] {
			os.Remove(filepath.Join(dir, f))
		}
	}
	return nil
}

func sorted(names []string) []string {
	out := append([]string(nil), names...)
	sort.Strings(out)
	return out
}

// readIndexNames returns the shard files an existing index in dir names (nil if none).
func readIndexNames(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, WeightsIndexFile))
	if err != nil {
		return nil
	}
	var idx indexFile
	if json.Unmarshal(data, &idx) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range idx.WeightMap {
		if !seen[f] && !strings.ContainsAny(f, `/\`) {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Load reads a Hugging Face checkpoint directory: config.json and either model.safetensors or
// model.safetensors.index.json with its shards (F32, BF16 or F16; widened to float32). Every tensor
// is checked against Layout(config): a missing, unexpected or misshapen tensor is an error naming
// the file, the tensor and what was expected. Non-parameter buffers some exporters add
// (rotary_emb.inv_freq) are ignored.
func Load(dir string) (*Params, error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	files := []string{WeightsFile}
	var weightMap map[string]string
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); errors.Is(err, os.ErrNotExist) {
		ipath := filepath.Join(dir, WeightsIndexFile)
		data, err := os.ReadFile(ipath)
		if err != nil {
			return nil, fmt.Errorf("load checkpoint %s: neither %s nor %s can be read: %w", dir, WeightsFile, WeightsIndexFile, err)
		}
		var idx indexFile
		if err := json.Unmarshal(data, &idx); err != nil || len(idx.WeightMap) == 0 {
			return nil, fmt.Errorf("load checkpoint: %s: expected {\"weight_map\": {tensor: file}} (%v)", ipath, err)
		}
		weightMap = idx.WeightMap
		seen := map[string]bool{}
		files = files[:0]
		for name, f := range idx.WeightMap {
			if f == "" || strings.ContainsAny(f, `/\`) || f == "." || f == ".." {
				return nil, fmt.Errorf("load checkpoint: %s: tensor %s maps to file %q; expected a file name in the same directory", ipath, name, f)
			}
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
		sort.Strings(files)
	}
	p := &Params{Config: cfg, Layers: make([]Layer, cfg.NumHiddenLayers)}
	slots := p.slots()
	want := map[string][]int{}
	for _, s := range Layout(cfg) {
		want[s.Name] = s.Shape
	}
	dtypes := map[string]bool{}
	for _, f := range files {
		path := filepath.Join(dir, f)
		ts, dts, err := readSafetensors(path)
		if err != nil {
			return nil, fmt.Errorf("load checkpoint: %w", err)
		}
		for name, t := range ts {
			if strings.HasSuffix(name, "rotary_emb.inv_freq") {
				continue
			}
			shape, ok := want[name]
			if !ok {
				return nil, fmt.Errorf("load checkpoint: %s: tensor %s is unexpected for %s (layers=%d, attention_bias=%v, tie_word_embeddings=%v)",
					path, name, cfg.ModelType, cfg.NumHiddenLayers, cfg.AttentionBias, cfg.TieWordEmbeddings)
			}
			if !sameShape(t.Shape, shape) {
				return nil, fmt.Errorf("load checkpoint: %s: tensor %s has shape %v; expected %v from %s", path, name, t.Shape, shape, ConfigFile)
			}
			if weightMap != nil && weightMap[name] != f {
				return nil, fmt.Errorf("load checkpoint: %s: tensor %s is in %s but the index maps it to %q", path, name, f, weightMap[name])
			}
			if *slots[name] != nil {
				return nil, fmt.Errorf("load checkpoint: %s: tensor %s appears in more than one shard", path, name)
			}
			*slots[name] = t
			dtypes[dts[name]] = true
		}
	}
	for _, s := range Layout(cfg) {
		if *slots[s.Name] == nil {
			where := WeightsFile
			if weightMap != nil {
				where = "the shards of " + WeightsIndexFile
			}
			return nil, fmt.Errorf("load checkpoint %s: tensor %s is missing from %s; expected shape %v", dir, s.Name, where, s.Shape)
		}
	}
	if len(dtypes) == 1 {
		for d := range dtypes {
			p.Config.TorchDtype = torchDtype(d)
		}
	}
	return p, nil
}
