package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ascent-rl/ascent/model"
)

// choice accumulates one sequence's events, and for streaming what has been sent of it.
type choice struct {
	toks   []int
	lps    []float32
	tops   [][]model.TokenLogProb
	finish string
	cut    int // the dropped token that completed a stop string, or -1
	// streaming
	sentText string // text already sent
	sentToks int    // tokens already sent
	started  bool   // a chunk of this choice has been sent
}

// collector turns a request's events into choices.
type collector struct {
	s       *Server
	w       *weights
	g       genParams
	prompts [][]int
	choices []choice
	plps    [][]promptLogprob // per prompt; nil until reported
}

func (s *Server) newCollector(w *weights, g genParams, prompts [][]int) *collector {
	c := &collector{s: s, w: w, g: g, prompts: prompts, choices: make([]choice, len(prompts)*g.n), plps: make([][]promptLogprob, len(prompts))}
	for i := range c.choices {
		c.choices[i].cut = -1
	}
	return c
}

// add records events and returns the choices they touched, in order of first touch.
func (c *collector) add(evs []event) []int {
	var touched []int
	for _, ev := range evs {
		if ev.prompt != nil {
			c.plps[ev.seq/c.g.n] = ev.prompt
			continue
		}
		ch := &c.choices[ev.seq]
		if ev.tok >= 0 {
			ch.toks = append(ch.toks, ev.tok)
			ch.lps = append(ch.lps, ev.lp)
			ch.tops = append(ch.tops, ev.top)
		}
		if ev.finish != "" {
			ch.finish = ev.finish
			if ev.tok < 0 && ev.finish == "stop" {
				ch.cut = ev.cut
			}
		}
		if !slices.Contains(touched, ev.seq) {
			touched = append(touched, ev.seq)
		}
	}
	return touched
}

// visible returns the tokens of ch that make up its text: without a final stop token.
func (c *collector) visible(ch *choice) []int {
	t := ch.toks
	if ch.finish == "stop" && len(t) > 0 {
		last := t[len(t)-1]
		cfg := c.w.config
		if slices.Contains(c.s.stopIDs, last) || slices.Contains(c.g.p.StopTokens, last) || last == cfg.EOSTokenID || slices.Contains(cfg.EOSTokenIDs, last) {
			return t[:len(t)-1]
		}
	}
	return t
}

// text returns ch's text: its visible tokens decoded and, when a stop string ended it, cut just
// before the stop string (the tokens keep the part of it that came before the dropped token).
func (c *collector) text(ch *choice) string {
	vis := c.visible(ch)
	if ch.cut < 0 {
		return c.s.decode(vis)
	}
	full := c.s.decode(append(slices.Clone(vis), ch.cut))
	end := len(full)
	for _, stop := range c.g.p.Stop {
		if i := strings.Index(full, stop); i >= 0 && i < end {
			end = i
		}
	}
	return full[:end]
}

// stopHold is how many trailing bytes of text could be the start of a stop string: they wait
// until the stop string is either completed (and cut) or ruled out.
func (c *collector) stopHold(text string) int {
	hold := 0
	for _, stop := range c.g.p.Stop {
		for k := min(len(stop)-1, len(text)); k > hold; k-- {
			if strings.HasSuffix(text, stop[:k]) {
				hold = k
				break
			}
		}
	}
	return hold
}

// piece returns the text of ch not yet sent and marks it sent: its text past what was sent, less
// a trailing incomplete UTF-8 character, which waits for the tokens that complete it, and less a
// trailing start of a stop string (both flushed, or cut, when the choice has finished). Bytes that can never form a
// character are sent as they are (JSON shows them as U+FFFD, as in the whole text). ok is false
// when nothing new can be sent yet.
func (c *collector) piece(ch *choice) (string, bool) {
	cur := c.text(ch)
	if !strings.HasPrefix(cur, ch.sentText) {
		return "", false
	}
	end := len(cur)
	if ch.finish == "" {
		end = min(completePrefix(cur), len(cur)-c.stopHold(cur))
	}
	if end <= len(ch.sentText) {
		return "", false
	}
	d := cur[len(ch.sentText):end]
	ch.sentText = cur[:end]
	return d, true
}

// completePrefix returns the length of s without a trailing incomplete UTF-8 sequence.
func completePrefix(s string) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return i
			}
			break
		}
	}
	return len(s)
}

// usage is the OpenAI usage block: prompt tokens count once per prompt, whatever n is.
type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (c *collector) usage() usage {
	var u usage
	for _, p := range c.prompts {
		u.PromptTokens += len(p)
	}
	for _, ch := range c.choices {
		u.CompletionTokens += len(ch.toks)
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// run drains ev until every sequence finished. onEvents, when set, is called after each event
// with the choice it touched (so that streaming sends every token, however many were queued), and
// batch after each batch of queued events.
func (c *collector) run(r *http.Request, ev *events, onEvents func(touched []int) error, batch func()) error {
	for {
		evs, done, err := ev.next(r.Context())
		if err != nil {
			return err
		}
		if onEvents == nil {
			c.add(evs)
		}
		for i := range evs {
			if onEvents == nil {
				break
			}
			if touched := c.add(evs[i : i+1]); len(touched) > 0 {
				if err := onEvents(touched); err != nil {
					return err
				}
			}
		}
		if batch != nil {
			batch()
		}
		if done {
			return nil
		}
	}
}

// stream sends ev's pieces as they come, flushing after each batch of queued events: for each
// token of a choice that completes new text (or finishes the choice),
// chunk builds the SSE event from the choice, its new text and whether it is the choice's first;
// the choice's tokens up to now then count as sent. A token ending inside a UTF-8 character
// waits for the next one, so no chunk carries an empty or broken text but a final one.
func (c *collector) stream(r *http.Request, ev *events, out *sse, chunk func(k int, ch *choice, text string, first bool) any) error {
	return c.run(r, ev, func(touched []int) error {
		for _, k := range touched {
			ch := &c.choices[k]
			text, ok := c.piece(ch)
			if !ok && ch.finish == "" {
				continue
			}
			b := chunk(k, ch, text, !ch.started)
			ch.started, ch.sentToks = true, len(ch.toks)
			if err := out.write(b); err != nil {
				return err
			}
		}
		return nil
	}, out.flush)
}

// decode turns ids into text; ids were validated, so errors cannot happen short of a tokenizer bug.
func (s *Server) decode(ids []int) string {
	text, err := s.tok.Decode(ids)
	if err != nil {
		return ""
	}
	return text
}

// tokenString returns a token's text form (its raw bytes; possibly a partial UTF-8 sequence).
func (s *Server) tokenString(id int) string {
	str, _ := s.tok.TokenString(id)
	return str
}

// tokenLabel is a token's text as log-probs report it: the text when it is valid UTF-8, else
// "bytes:\xNN…" (OpenAI's form), so that distinct partial-character tokens stay distinct.
func (s *Server) tokenLabel(id int) string {
	str := s.tokenString(id)
	if utf8.ValidString(str) {
		return str
	}
	var b strings.Builder
	b.WriteString("bytes:")
	for i := range len(str) {
		fmt.Fprintf(&b, "\\x%02x", str[i])
	}
	return b.String()
}

func nonNil(x []int) []int {
	if x == nil {
		return []int{}
	}
	return x
}

// sse writes Server-Sent Events: "data: {json}\n\n" per event and "data: [DONE]\n\n" at the end.
type sse struct {
	w http.ResponseWriter
	f http.Flusher
}

func newSSE(w http.ResponseWriter) *sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &sse{w: w, f: f}
}

// send writes one event; an error means the client went away.
func (e *sse) send(v any) error {
	if err := e.write(v); err != nil {
		return err
	}
	e.flush()
	return nil
}

// write writes one event without flushing it.
func (e *sse) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode chunk: %w", err)
	}
	_, err = fmt.Fprintf(e.w, "data: %s\n\n", b)
	return err
}

// flush sends what was written.
func (e *sse) flush() {
	if e.f != nil {
		e.f.Flush()
	}
}

// end finishes a stream: an error event when err is set, else the usage chunk (built by
// empty, a chunk without choices) when asked; then [DONE].
func (e *sse) end(err error, includeUsage bool, empty func() map[string]any, c *collector) {
	if err != nil {
		e.fail(err)
		return
	}
	if includeUsage {
		b := empty()
		b["usage"] = c.usage()
		_ = e.send(b)
	}
	e.done()
}

// fail sends an error event (OpenAI's error object) after the stream started.
func (e *sse) fail(err error) {
	_ = e.send(map[string]any{"error": apiError{Message: err.Error(), Type: "server_error"}})
	e.done()
}

func (e *sse) done() {
	fmt.Fprint(e.w, "data: [DONE]\n\n")
	if e.f != nil {
		e.f.Flush()
	}
}
