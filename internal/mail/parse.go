package mail

import (
	"errors"
	"io"
)

// Parse reads one RFC 5322 message from r. A zero lim means DefaultLimits.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	return nil, errors.New("mail.Parse: not implemented")
}
