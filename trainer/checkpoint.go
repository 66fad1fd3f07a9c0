package trainer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// Checkpoint layout under a run directory:
//
//	checkpoints/step_000012/engine/...      what engine.Save wrote (HF safetensors + optimizer state)
//	checkpoints/step_000012/state.json      the trainer state (step, data order, RNG streams)
//	checkpoints/step_000012/MANIFEST.json   size and SHA-256 of every file above
//
// A checkpoint is built in a hidden temporary directory and renamed into place, so a crash leaves
// either no checkpoint for that step or a complete one; the manifest catches later corruption
// (a truncated or edited file), and resume falls back to the newest checkpoint that verifies.
const (
	checkpointsDir = "checkpoints"
	manifestFile   = "MANIFEST.json"
	stateFile      = "state.json"
	engineSubdir   = "engine"
)

// manifest records every file of a checkpoint.
type manifest struct {
	Step  int                      `json:"step"`  // RL step the checkpoint was taken after
	Files map[string]manifestEntry `json:"files"` // path relative to the checkpoint dir → entry
}

type manifestEntry struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// checkpointName is the directory name of the checkpoint taken after step.
func checkpointName(step int) string { return fmt.Sprintf("step_%06d", step) }

// writeCheckpoint creates runDir/checkpoints/step_N atomically: fill(tmpDir) writes the payload,
// then the manifest is added and the directory renamed into place. It keeps the newest keep
// checkpoints (keep ≤ 0 keeps all).
func writeCheckpoint(runDir string, step, keep int, fill func(dir string) error) (string, error) {
	root := filepath.Join(runDir, checkpointsDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	tmp, err := os.MkdirTemp(root, ".tmp-"+checkpointName(step)+"-")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	if err := fill(tmp); err != nil {
		return "", fmt.Errorf("checkpoint step %d: %w", step, err)
	}
	m, err := hashTree(tmp)
	if err != nil {
		return "", fmt.Errorf("checkpoint step %d: %w", step, err)
	}
	m.Step = step
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(tmp, manifestFile), b, 0o644); err != nil {
		return "", err
	}
	final := filepath.Join(root, checkpointName(step))
	if err := os.RemoveAll(final); err != nil { // a stale checkpoint of the same step (resume re-ran it)
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	atomicfile.SyncDir(root)
	if keep > 0 {
		prune(root, keep)
	}
	return final, nil
}

// hashTree computes the manifest of every regular file under dir.
func hashTree(dir string) (manifest, error) {
	m := manifest{Files: map[string]manifestEntry{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == manifestFile {
			return nil
		}
		e, err := hashFile(p)
		if err != nil {
			return err
		}
		m.Files[filepath.ToSlash(rel)] = e
		return nil
	})
	return m, err
}

func hashFile(p string) (manifestEntry, error) {
	f, err := os.Open(p)
	if err != nil {
		return manifestEntry{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return manifestEntry{}, fmt.Errorf("hash %s: %w", p, err)
	}
	return manifestEntry{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// verifyCheckpoint checks a checkpoint directory against its manifest.
func verifyCheckpoint(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return fmt.Errorf("no readable %s: %w", manifestFile, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s is corrupt: %w", manifestFile, err)
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("%s lists no files", manifestFile)
	}
	for rel, want := range m.Files {
		got, err := hashFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if got != want {
			return fmt.Errorf("%s: size %d sha256 %.12s…, manifest says size %d sha256 %.12s…", rel, got.Size, got.SHA256, want.Size, want.SHA256)
		}
	}
	return nil
}

// listCheckpoints returns the step numbers of runDir's checkpoints, newest first.
func listCheckpoints(runDir string) ([]int, error) {
	entries, err := os.ReadDir(filepath.Join(runDir, checkpointsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	var steps []int
	for _, e := range entries {
		if s, ok := strings.CutPrefix(e.Name(), "step_"); ok && e.IsDir() {
			if n, err := strconv.Atoi(s); err == nil {
				steps = append(steps, n)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(steps)))
	return steps, nil
}

// latestValidCheckpoint returns the newest checkpoint of runDir that verifies. Each corrupt newer
// one is reported through warn and skipped. It returns "" when there is none.
func latestValidCheckpoint(runDir string, warn func(string)) (string, int, error) {
	steps, err := listCheckpoints(runDir)
	if err != nil {
		return "", 0, err
	}
	for _, s := range steps {
		dir := filepath.Join(runDir, checkpointsDir, checkpointName(s))
		if err := verifyCheckpoint(dir); err != nil {
			warn(fmt.Sprintf("checkpoint %s is corrupt (%v); falling back to the previous one", dir, err))
			continue
		}
		return dir, s, nil
	}
	return "", 0, nil
}

// prune removes all but the newest keep checkpoints.
func prune(root string, keep int) {
	steps, err := listCheckpoints(filepath.Dir(root))
	if err != nil {
		return
	}
	for i, s := range steps {
		if i >= keep {
			os.RemoveAll(filepath.Join(root, checkpointName(s)))
		}
	}
}
