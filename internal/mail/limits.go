package mail

// Limits caps what Parse will read. The defaults mirror Postfix's own limits
// (10 MB message, 100 KB header, MIME nesting 100) so that misend refuses no
// mail that Postfix would have passed, and tightens part count and text size,
// which Postfix does not need to look at.
type Limits struct {
	MaxMessageBytes int // whole message
	MaxHeaderBytes  int // one header block (top-level or part)
	MaxDepth        int // MIME nesting
	MaxParts        int // parts in total
	MaxTextBytes    int // decoded text kept in Message.Text and per attachment
}

// DefaultLimits are used when Parse is given a zero Limits.
var DefaultLimits = Limits{
	MaxMessageBytes: 10 << 20,
	MaxHeaderBytes:  100 << 10,
	MaxDepth:        100,
	MaxParts:        1000,
	MaxTextBytes:    1 << 20,
}
