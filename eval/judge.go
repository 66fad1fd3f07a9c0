package eval

import (
	"context"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3"
)

// judgePrompt follows the CompassVerifier prompt that JustRL's evals/grade.py sends to
// CompassVerifier-3B: the question, the standard answer and the candidate's answer, and a one-letter
// reply where "A" means correct.
const judgePrompt = `As a grading expert, your task is to determine whether the candidate's final answer matches the provided standard answer. Follow these evaluation guidelines precisely:

Evaluation Protocol:
1. Reference Standard:
   - The standard answer is definitive and always correct
   - The question is perfectly valid - never question them
   - Do not regenerate answers; only compare with the given standard

2. Comparison Method:
   - Carefully analyze the question's requirements and the standard answer's structure
   - Compare ONLY the candidate's final answer (ignore all reasoning/explanation errors)
   - Ignore differences in formatting or presentation style
   - For mathematical expressions: check algebraic equivalence step by step

3. Multi-part Answers:
   - For questions requiring multiple responses, ALL parts must match the standard answer exactly

4. Validity Check:
   - Reject answers that are incomplete (cut off mid-response), contain repetitive text, or refuse to answer: label them INVALID

Grading Scale:
A: CORRECT - the final answer matches the standard answer exactly (including equivalent expressions)
B: INCORRECT - the final answer differs from the standard answer or is wrong
C: INVALID - the answer is incomplete, repetitive or a refusal

<Original Question Begin>
%s
<Original Question End>

<Standard Answer Begin>
%s
<Standard Answer End>

<Candidate's Answer Begin>
%s
<Candidate's Answer End>

Judging the correctness of the candidate's answer: A: CORRECT, B: INCORRECT, C: INVALID. Just return the letter "A", "B", or "C", with no text around it.`

// judgeTailChars is how much of the end of a response the judge sees (after any </think>).
const judgeTailChars = 8000

// JudgeGrader is the rule checker with an LLM-judge fallback, as in JustRL's grader: when the rule says
// "wrong", an OpenAI-compatible model is asked, and the sample is correct when the rule OR the judge
// says so.
type JudgeGrader struct {
	Rule     Grader        // the rule checker asked first
	Endpoint string        // judge base URL, e.g. http://127.0.0.1:8001/v1
	Model    string        // judge model name (JustRL: CompassVerifier-3B)
	Retry    Retry         // bounded retries against the judge endpoint
	client   openai.Client // built by NewJudgeGrader
}

// NewJudgeGrader returns a JudgeGrader that asks model at endpoint after rule says a sample is wrong.
func NewJudgeGrader(rule Grader, endpoint, model, apiKey string, retry Retry) *JudgeGrader {
	return &JudgeGrader{Rule: rule, Endpoint: endpoint, Model: model, Retry: retry, client: newClient(endpoint, apiKey)}
}

// Name implements Grader.
func (g *JudgeGrader) Name() string {
	return fmt.Sprintf("%s, then LLM judge %q at %s when the rule says wrong (rule OR judge)", g.Rule.Name(), g.Model, g.Endpoint)
}

// Grade implements Grader. A judge that cannot be reached after the retries leaves the rule's verdict
// and sets Status "judge_error", so failures are counted, not hidden.
func (g *JudgeGrader) Grade(ctx context.Context, in GradeInput) Verdict {
	v := g.Rule.Grade(ctx, in)
	if v.Correct {
		return v
	}
	cand := in.Response
	if in.PredGiven && strings.TrimSpace(cand) == "" {
		cand = in.Pred
	}
	if i := strings.LastIndex(cand, "</think>"); i >= 0 {
		cand = cand[i+len("</think>"):]
	}
	if len(cand) > judgeTailChars {
		cand = cand[len(cand)-judgeTailChars:]
	}
	prompt := fmt.Sprintf(judgePrompt, in.Problem, in.Gold, cand)
	reply, err := do(ctx, g.Retry, g.Endpoint, func(ctx context.Context) (string, error) {
		res, err := g.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:       g.Model,
			Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
			Temperature: openai.Float(0),
			MaxTokens:   openai.Int(16),
		})
		if err != nil {
			return "", err
		}
		if len(res.Choices) == 0 {
			return "", fmt.Errorf("judge returned no choices")
		}
		return res.Choices[0].Message.Content, nil
	})
	if err != nil {
		v.Status = StatusJudgeError
		v.Detail = err.Error()
		return v
	}
	letter := judgeLetter(reply)
	v.GradedBy = "judge"
	v.Detail = "judge: " + strings.TrimSpace(reply)
	if letter == "A" {
		v.Correct = true
	}
	return v
}

// judgeLetter returns the first A, B or C that stands alone in the judge's reply (after any </think>,
// inside \boxed{} or not), or "" when there is none.
func judgeLetter(reply string) string {
	if i := strings.LastIndex(reply, "</think>"); i >= 0 {
		reply = reply[i+len("</think>"):]
	}
	r := strings.NewReplacer(`\boxed{`, " ", "{", " ", "}", " ", ":", " ", ".", " ", "*", " ", "(", " ", ")", " ", `"`, " ")
	for _, w := range strings.Fields(r.Replace(reply)) {
		switch w { // letters only in upper case: a lone "a" is an article
		case "A", "B", "C":
			return w
		}
		switch strings.ToUpper(w) {
		case "CORRECT":
			return "A"
		case "INCORRECT":
			return "B"
		case "INVALID":
			return "C"
		}
	}
	return ""
}
