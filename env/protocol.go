package env

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// The remote simulator protocol (spec §2.7), HTTP/JSON, batch-first and session-based:
//
//	POST   /v1/envs            CreateRequest            → CreateResponse
//	POST   /v1/envs:batchStep  BatchStepRequest         → BatchStepResponse
//	GET    /v1/envs/{id}/state                          → StateResponse
//	DELETE /v1/envs/{id}                                → {"deleted": id}
//	GET    /v1/suites                                   → [SuiteInfo]
//	GET    /healthz                                     → HealthResponse
//
// Errors outside a batch item come back as a non-2xx status with ErrorResponse. Inside a batch,
// each item carries its own error so one dead env never fails the others. Actions are continuous
// and already un-normalised; the gripper convention is stated per suite (SuiteInfo.Gripper).

// Protocol paths.
const (
	PathEnvs      = "/v1/envs"
	PathBatchStep = "/v1/envs:batchStep"
	PathSuites    = "/v1/suites"
	PathHealth    = "/healthz"
)

// CreateRequest is the body of POST /v1/envs.
type CreateRequest struct {
	// Episode carries suite, task_id, trial_id and config.
	Episode
	// Seed is accepted for servers that seed separately from the trial; the Go simulator seeds
	// layouts by trial_id and ignores it.
	Seed *int64 `json:"seed,omitempty"`
}

// CreateResponse answers POST /v1/envs: the env's id and its first observation.
type CreateResponse struct {
	// EnvID names the env in later calls.
	EnvID string `json:"env_id"`
	// Instruction is the task's language instruction.
	Instruction string `json:"instruction"`
	// Obs is the first observation.
	Obs WireObs `json:"obs"`
	// Step is the low-level step count (0 after creation).
	Step int `json:"step"`
}

// WireObs is an observation on the wire.
type WireObs struct {
	// Image is the RGB camera image.
	Image WireImage `json:"image"`
	// Proprio is the robot state vector (absent when disabled).
	Proprio []float32 `json:"proprio,omitempty"`
	// Instruction repeats the instruction.
	Instruction string `json:"instruction,omitempty"`
}

// WireImage is an image on the wire: raw uint8 HWC RGB bytes or a PNG, base64 in JSON.
type WireImage struct {
	// Height is the number of rows.
	Height int `json:"height"`
	// Width is the number of columns.
	Width int `json:"width"`
	// Channels is 3 (RGB).
	Channels int `json:"channels"`
	// Encoding is "raw" (HWC uint8) or "png".
	Encoding string `json:"encoding"`
	// Data holds the bytes (base64 in JSON).
	Data []byte `json:"data"`
}

// BatchStepRequest is the body of POST /v1/envs:batchStep: one chunk per env.
type BatchStepRequest struct {
	// Items holds one env id and action chunk ([K][D]) each.
	Items []StepItem `json:"items"`
	// RecordFrames asks for a frame per executed low-level step.
	RecordFrames bool `json:"record_frames,omitempty"`
}

// StepItem is one env's chunk in a batch.
type StepItem struct {
	// EnvID names the env.
	EnvID string `json:"env_id"`
	// Actions is the chunk [K][D].
	Actions [][]float32 `json:"actions"`
}

// BatchStepResponse answers a batch step, items in request order.
type BatchStepResponse struct {
	// Items holds one result per request item.
	Items []StepItemResult `json:"items"`
}

// StepItemResult is one env's outcome in a batch step.
type StepItemResult struct {
	// EnvID names the env.
	EnvID string `json:"env_id"`
	// Obs is the observation after the chunk (absent on error).
	Obs *WireObs `json:"obs,omitempty"`
	// Done is true once the episode ended.
	Done bool `json:"done"`
	// Success is true when the task's success check held.
	Success bool `json:"success"`
	// Truncated is true when the episode hit the step cap without success.
	Truncated bool `json:"truncated"`
	// FinishStep counts the episode's low-level steps so far.
	FinishStep int `json:"finish_step"`
	// Executed counts the low-level steps this chunk ran.
	Executed int `json:"executed"`
	// Pushcut marks a success reached by pushing an object the demonstration grasps.
	Pushcut bool `json:"pushcut,omitempty"`
	// Frames holds the recorded frames when asked for.
	Frames []WireImage `json:"frames,omitempty"`
	// Error is set when this env failed; the other items are unaffected.
	Error string `json:"error,omitempty"`
}

// StateResponse answers GET /v1/envs/{id}/state.
type StateResponse struct {
	// EnvID names the env.
	EnvID string `json:"env_id"`
	// FinishStep is the low-level steps run so far.
	FinishStep int `json:"finish_step"`
	// Success is true once the task succeeded.
	Success bool `json:"success"`
	// Active is true while the episode is running.
	Active bool `json:"active"`
}

// HealthResponse answers GET /healthz.
type HealthResponse struct {
	// Status is "ok".
	Status string `json:"status"`
	// Envs counts live envs.
	Envs int `json:"envs"`
}

// ErrorResponse is the body of a non-2xx answer.
type ErrorResponse struct {
	// Error says what went wrong.
	Error string `json:"error"`
}

// maxImageSide bounds a decoded image's side in pixels.
const maxImageSide = 8192

// EncodeImage packs an RGBA image as raw HWC RGB bytes.
func EncodeImage(img *image.RGBA) WireImage {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	data := make([]byte, 0, w*h*3)
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := 0; x < w; x++ {
			data = append(data, row[x*4], row[x*4+1], row[x*4+2])
		}
	}
	return WireImage{Height: h, Width: w, Channels: 3, Encoding: "raw", Data: data}
}

// DecodeImage unpacks a raw or PNG wire image, checking its shape.
func DecodeImage(wi WireImage) (*image.RGBA, error) {
	if wi.Width <= 0 || wi.Height <= 0 || wi.Width > maxImageSide || wi.Height > maxImageSide {
		return nil, fmt.Errorf("image: %dx%d; want sides in 1..%d", wi.Height, wi.Width, maxImageSide)
	}
	switch wi.Encoding {
	case "png":
		cfg, err := png.DecodeConfig(bytes.NewReader(wi.Data))
		if err != nil {
			return nil, fmt.Errorf("image: png: %w", err)
		}
		if cfg.Width != wi.Width || cfg.Height != wi.Height {
			return nil, fmt.Errorf("image: png is %dx%d, header says %dx%d", cfg.Width, cfg.Height, wi.Width, wi.Height)
		}
		src, err := png.Decode(bytes.NewReader(wi.Data))
		if err != nil {
			return nil, fmt.Errorf("image: png: %w", err)
		}
		b := src.Bounds()
		if b.Dx() != wi.Width || b.Dy() != wi.Height {
			return nil, fmt.Errorf("image: png is %dx%d, header says %dx%d", b.Dx(), b.Dy(), wi.Width, wi.Height)
		}
		img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				img.Set(x, y, src.At(b.Min.X+x, b.Min.Y+y))
			}
		}
		return img, nil
	case "raw", "":
		if wi.Channels != 3 || len(wi.Data) != wi.Width*wi.Height*3 {
			return nil, fmt.Errorf("image: raw %dx%dx%d with %d bytes; want channels 3 and height*width*3 bytes",
				wi.Height, wi.Width, wi.Channels, len(wi.Data))
		}
		img := image.NewRGBA(image.Rect(0, 0, wi.Width, wi.Height))
		for i, j := 0, 0; i < len(wi.Data); i, j = i+3, j+4 {
			img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = wi.Data[i], wi.Data[i+1], wi.Data[i+2], 255
		}
		return img, nil
	default:
		return nil, fmt.Errorf("image: encoding %q; want raw or png", wi.Encoding)
	}
}

func toWireObs(o *Observation) *WireObs {
	return &WireObs{Image: EncodeImage(o.Image), Proprio: o.Proprio, Instruction: o.Instruction}
}

func fromWireObs(w *WireObs) (*Observation, error) {
	img, err := DecodeImage(w.Image)
	if err != nil {
		return nil, fmt.Errorf("obs: %w", err)
	}
	return &Observation{Image: img, Proprio: w.Proprio, Instruction: w.Instruction}, nil
}
