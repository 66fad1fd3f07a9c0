package track

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go)
)

// Store is the SQLite run store, RUNS_ROOT/ascent.db: an index over the run directories that makes
// listing and comparing runs cheap. It is opened in WAL mode, every change is one transaction, and
// it can always be rebuilt from the run directories (Sync), so deleting it loses nothing.
//
// Schema (user_version 1):
//
//	runs(id TEXT PRIMARY KEY, name, preset, config, status, started, ended, heartbeat, git_rev, host,
//	     pid, resumed_from, metrics_size, info_mtime)
//	metrics(run_id, step, key, value REAL, PRIMARY KEY (run_id, step, key)) WITHOUT ROWID
//
// Times are RFC 3339 text (UTC); metrics_size and info_mtime record what Sync last imported.
type Store struct {
	root string
	db   *sql.DB
}

const schemaVersion = 1

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL DEFAULT '',
	preset       TEXT NOT NULL DEFAULT '',
	config       TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	started      TEXT NOT NULL DEFAULT '',
	ended        TEXT NOT NULL DEFAULT '',
	heartbeat    TEXT NOT NULL DEFAULT '',
	git_rev      TEXT NOT NULL DEFAULT '',
	host         TEXT NOT NULL DEFAULT '',
	pid          INTEGER NOT NULL DEFAULT 0,
	resumed_from TEXT NOT NULL DEFAULT '',
	metrics_size INTEGER NOT NULL DEFAULT -1,
	info_mtime   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS metrics (
	run_id TEXT NOT NULL,
	step   INTEGER NOT NULL,
	key    TEXT NOT NULL,
	value  REAL,
	PRIMARY KEY (run_id, step, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS metrics_by_key ON metrics(run_id, key, step);
`

// OpenStore opens (creating if needed) root/ascent.db. A file that is not a readable SQLite
// database is moved aside to ascent.db.corrupt-<time> and a fresh index is built in its place.
func OpenStore(root string) (*Store, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open run store: %w", err)
	}
	p := filepath.Join(root, DBName)
	var s *Store
	err := retryBusy(openBusyWait, func() (err error) { s, err = openDB(root, p); return err })
	if err != nil && isCorrupt(err) {
		aside := fmt.Sprintf("%s.corrupt-%s", p, time.Now().UTC().Format("20060102T150405"))
		if rerr := os.Rename(p, aside); rerr != nil {
			return nil, fmt.Errorf("open run store %s: %w (moving it aside failed: %v)", p, err, rerr)
		}
		os.Remove(p + "-wal")
		os.Remove(p + "-shm")
		s, err = openDB(root, p)
	}
	return s, err
}

// openBusyWait bounds how long OpenStore retries a database that another process holds. SQLite
// waits busy_timeout for most locks, but some (a closing connection's final WAL checkpoint, a
// journal-mode check) return SQLITE_BUSY at once; seen with runs starting as others finish.
const openBusyWait = 30 * time.Second

// retryBusy calls f until it returns something other than SQLITE_BUSY, backing off from 10 ms to
// 1 s, for at most wait; the last error is returned with how long it was retried.
func retryBusy(wait time.Duration, f func() error) error {
	deadline := time.Now().Add(wait)
	pause := 10 * time.Millisecond
	for {
		err := f()
		if err == nil || !isBusy(err) {
			return err
		}
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("%w (still locked by another process after retrying for %v)", err, wait)
		}
		time.Sleep(pause)
		pause = min(2*pause, time.Second)
	}
}

func isBusy(err error) bool {
	m := err.Error()
	return strings.Contains(m, "SQLITE_BUSY") || strings.Contains(m, "database is locked")
}

func isCorrupt(err error) bool {
	m := err.Error()
	return strings.Contains(m, "not a database") || strings.Contains(m, "malformed")
}

func openDB(root, p string) (*Store, error) {
	dsn := "file:" + p + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open run store %s: %w", p, err)
	}
	db.SetMaxOpenConns(1)
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		db.Close()
		return nil, fmt.Errorf("open run store %s: %w", p, err)
	}
	if v > schemaVersion {
		db.Close()
		return nil, fmt.Errorf("run store %s has schema version %d, this build knows %d: delete it to rebuild the index", p, v, schemaVersion)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create run store schema in %s: %w", p, err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		db.Close()
		return nil, fmt.Errorf("set run store version in %s: %w", p, err)
	}
	return &Store{root: root, db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// timeLayout is RFC 3339 with a fixed-width fraction, so the text sorts chronologically.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// upsertRun writes a run's metadata row.
func (s *Store) upsertRun(info RunInfo, config string, infoMtime time.Time) error {
	resumed := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(info.ResumedFrom)), ","), "[]")
	_, err := s.db.Exec(`INSERT INTO runs (id, name, preset, config, status, started, ended, heartbeat, git_rev, host, pid, resumed_from, info_mtime)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET name=excluded.name, preset=excluded.preset, config=excluded.config,
			status=excluded.status, started=excluded.started, ended=excluded.ended, heartbeat=excluded.heartbeat,
			git_rev=excluded.git_rev, host=excluded.host, pid=excluded.pid, resumed_from=excluded.resumed_from,
			info_mtime=excluded.info_mtime`,
		info.ID, info.Name, info.Preset, config, info.Status, fmtTime(info.Start), fmtTime(info.End),
		fmtTime(info.Heartbeat), info.GitRev, info.Host, info.PID, resumed, fmtTime(infoMtime))
	if err != nil {
		return fmt.Errorf("store run %s: %w", info.ID, err)
	}
	return nil
}

// addMetrics stores the rows of one step and records how much of metrics.jsonl is indexed.
func (s *Store) addMetrics(id string, rows []Row, prevSize, metricsSize int64) error {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("store metrics of %s: %w", id, err)
	}
	defer tx.Rollback()
	if err := insertRows(tx, id, rows); err != nil {
		return err
	}
	// Advance the recorded size only from the size this write started at: a reader's Sync that
	// reimported the file between the write and this transaction has replaced the rows with what
	// it read and recorded the size it saw; moving that size on here would hide the rows it
	// missed from every later Sync, so the stale size is left for the next Sync to reimport.
	if _, err := tx.Exec(`UPDATE runs SET metrics_size = ? WHERE id = ? AND metrics_size = ?`, metricsSize, id, prevSize); err != nil {
		return fmt.Errorf("store metrics of %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store metrics of %s: %w", id, err)
	}
	return nil
}

func insertRows(tx *sql.Tx, id string, rows []Row) error {
	st, err := tx.Prepare(`INSERT OR REPLACE INTO metrics (run_id, step, key, value) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store metrics of %s: %w", id, err)
	}
	defer st.Close()
	for _, r := range rows {
		for k, v := range r.Values {
			var val any = v
			if math.IsNaN(v) || math.IsInf(v, 0) {
				val = nil // SQLite REAL cannot hold NaN/Inf faithfully; the JSONL keeps them
			}
			if _, err := st.Exec(id, r.Step, k, val); err != nil {
				return fmt.Errorf("store metric %s of %s at step %d: %w", k, id, r.Step, err)
			}
		}
	}
	return nil
}

// heartbeat records a writer's sign of life.
func (s *Store) heartbeat(id string, t time.Time) error {
	if _, err := s.db.Exec(`UPDATE runs SET heartbeat = ? WHERE id = ?`, fmtTime(t), id); err != nil {
		return fmt.Errorf("store heartbeat of %s: %w", id, err)
	}
	return nil
}

// truncateAfter drops the metrics of steps > step (used by Resume).
func (s *Store) truncateAfter(id string, step int, metricsSize int64) error {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("truncate metrics of %s: %w", id, err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM metrics WHERE run_id = ? AND step > ?`, id, step); err != nil {
		return fmt.Errorf("truncate metrics of %s: %w", id, err)
	}
	if _, err := tx.Exec(`UPDATE runs SET metrics_size = ? WHERE id = ?`, metricsSize, id); err != nil {
		return fmt.Errorf("truncate metrics of %s: %w", id, err)
	}
	return tx.Commit()
}

// RunRecord is a run as the store lists it.
type RunRecord struct {
	RunInfo
	// Shown is the effective status (running runs whose writer is gone show as interrupted).
	Shown string `json:"shown_status"`
	// Config is the resolved config YAML.
	Config string `json:"-"`
	// Steps is the number of logged steps; LastStep the highest.
	Steps    int `json:"steps"`
	LastStep int `json:"last_step"`
}

// Runs lists the indexed runs, newest first. Call Sync first to pick up directory changes.
func (s *Store) Runs() ([]RunRecord, error) {
	rows, err := s.db.Query(`SELECT r.id, r.name, r.preset, r.config, r.status, r.started, r.ended, r.heartbeat,
			r.git_rev, r.host, r.pid, r.resumed_from,
			(SELECT COUNT(DISTINCT step) FROM metrics m WHERE m.run_id = r.id),
			(SELECT COALESCE(MAX(step), -1) FROM metrics m WHERE m.run_id = r.id)
		FROM runs r ORDER BY r.started DESC, r.id`)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []RunRecord
	now := time.Now()
	for rows.Next() {
		var r RunRecord
		var start, end, hb, resumed string
		if err := rows.Scan(&r.ID, &r.Name, &r.Preset, &r.Config, &r.Status, &start, &end, &hb,
			&r.GitRev, &r.Host, &r.PID, &resumed, &r.Steps, &r.LastStep); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		r.Start, r.End, r.Heartbeat = parseTime(start), parseTime(end), parseTime(hb)
		for _, f := range strings.Split(resumed, ",") {
			var n int
			if _, err := fmt.Sscan(f, &n); err == nil {
				r.ResumedFrom = append(r.ResumedFrom, n)
			}
		}
		r.Shown = r.Effective(now)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Metrics returns a run's metrics from the index, one Row per step, ascending. Keys restricts the
// metric names (all when empty). Non-finite values read back as NaN.
func (s *Store) Metrics(id string, keys ...string) ([]Row, error) {
	q := `SELECT step, key, value FROM metrics WHERE run_id = ?`
	args := []any{id}
	if len(keys) > 0 {
		q += ` AND key IN (?` + strings.Repeat(",?", len(keys)-1) + `)`
		for _, k := range keys {
			args = append(args, k)
		}
	}
	rows, err := s.db.Query(q+` ORDER BY step`, args...)
	if err != nil {
		return nil, fmt.Errorf("read metrics of %s: %w", id, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var step int
		var key string
		var v sql.NullFloat64
		if err := rows.Scan(&step, &key, &v); err != nil {
			return nil, fmt.Errorf("read metrics of %s: %w", id, err)
		}
		if len(out) == 0 || out[len(out)-1].Step != step {
			out = append(out, Row{Step: step, Values: map[string]float64{}})
		}
		val := v.Float64
		if !v.Valid {
			val = math.NaN()
		}
		out[len(out)-1].Values[key] = val
	}
	return out, rows.Err()
}

// Sync brings the index in line with the run directories: new or changed runs are (re)imported,
// runs whose directory is gone are dropped. It reports unparsable metrics lines in bad.
func (s *Store) Sync() (bad []BadLine, err error) {
	ids, err := ListRunIDs(s.root)
	if err != nil {
		return nil, err
	}
	type state struct {
		size  int64
		mtime string
	}
	known := map[string]state{}
	rs, err := s.db.Query(`SELECT id, metrics_size, info_mtime FROM runs`)
	if err != nil {
		return nil, fmt.Errorf("sync run store: %w", err)
	}
	for rs.Next() {
		var id string
		var st state
		if err := rs.Scan(&id, &st.size, &st.mtime); err != nil {
			rs.Close()
			return nil, fmt.Errorf("sync run store: %w", err)
		}
		known[id] = st
	}
	rs.Close()
	present := map[string]bool{}
	for _, id := range ids {
		present[id] = true
		dir := filepath.Join(s.root, id)
		old, had := known[id]
		var mtime time.Time
		if st, err := os.Stat(filepath.Join(dir, FileInfo)); err == nil {
			mtime = st.ModTime()
		}
		if !had || old.mtime != fmtTime(mtime) {
			info, err := ReadInfo(s.root, id)
			if err != nil { // one broken run.json must not hide the other runs
				bad = append(bad, BadLine{Path: filepath.Join(dir, FileInfo), Line: 1, Err: err})
				continue
			}
			cfg, _, _ := ReadConfig(s.root, id) // a missing config is shown as empty
			if err := s.upsertRun(info, cfg, mtime); err != nil {
				return bad, err
			}
		}
		size := int64(-1)
		if st, err := os.Stat(filepath.Join(dir, FileMetrics)); err == nil {
			size = st.Size()
		}
		if had && old.size == size {
			continue
		}
		b, err := s.reimport(id, filepath.Join(dir, FileMetrics), size)
		bad = append(bad, b...)
		if err != nil {
			return bad, err
		}
	}
	for id := range known {
		if !present[id] {
			if err := s.forget(id); err != nil {
				return bad, err
			}
		}
	}
	return bad, nil
}

// reimport replaces a run's metrics with the content of its metrics.jsonl.
func (s *Store) reimport(id, path string, size int64) ([]BadLine, error) {
	var rows []Row
	var bad []BadLine
	if size >= 0 {
		var err error
		rows, bad, err = ReadMetrics(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return bad, err
		}
	}
	tx, err := s.db.Begin()
	if err != nil {
		return bad, fmt.Errorf("import metrics of %s: %w", id, err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM metrics WHERE run_id = ?`, id); err != nil {
		return bad, fmt.Errorf("import metrics of %s: %w", id, err)
	}
	if err := insertRows(tx, id, rows); err != nil {
		return bad, err
	}
	if _, err := tx.Exec(`UPDATE runs SET metrics_size = ? WHERE id = ?`, size, id); err != nil {
		return bad, fmt.Errorf("import metrics of %s: %w", id, err)
	}
	return bad, tx.Commit()
}

// forget drops a run from the index.
func (s *Store) forget(id string) error {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("drop run %s from store: %w", id, err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM metrics WHERE run_id = ?`, `DELETE FROM runs WHERE id = ?`} {
		if _, err := tx.Exec(q, id); err != nil {
			return fmt.Errorf("drop run %s from store: %w", id, err)
		}
	}
	return tx.Commit()
}
