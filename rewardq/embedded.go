package rewardq

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// StartEmbedded starts a NATS server with JetStream inside this process, listening on loopback
// only (an OS-chosen port), its store in dir. It is the one-machine set-up
// (`ascent reward-worker --embedded`) and what the tests use; production points workers and the
// trainer at a NATS cluster instead.
func StartEmbedded(dir string) (*server.Server, string, error) {
	opts := &server.Options{
		ServerName: "ascent-embedded",
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		JetStream:  true,
		StoreDir:   dir,
		NoSigs:     true,
		NoLog:      true,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, "", fmt.Errorf("rewardq: embedded NATS server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, "", fmt.Errorf("rewardq: embedded NATS server not ready within 10 s")
	}
	return s, s.ClientURL(), nil
}
