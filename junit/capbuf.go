package junit

import "strconv"

// capBuf collects text up to a cap. Past the cap it keeps the first half and
// the last half of what it was given and counts the bytes in between, so a
// long stack trace keeps both the assertion at its top and the frames at its
// bottom while memory stays bounded.
type capBuf struct {
	max     int // <= 0 means no cap
	head    []byte
	tail    []byte // last bytes seen after head filled up; trimmed lazily
	dropped int64  // bytes between head and tail that were not kept
}

func (c *capBuf) reset(max int) {
	c.max = max
	c.head = c.head[:0]
	c.tail = c.tail[:0]
	c.dropped = 0
}

// blank reports whether nothing but white space was written.
func (c *capBuf) blank() bool {
	if c.dropped > 0 || len(c.tail) > 0 {
		return false
	}
	for _, b := range c.head {
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return false
		}
	}
	return true
}

func (c *capBuf) empty() bool { return len(c.head) == 0 && len(c.tail) == 0 }

func (c *capBuf) write(p []byte) {
	if c.max <= 0 {
		c.head = append(c.head, p...)
		return
	}
	half := c.max / 2
	if half < 1 {
		half = 1
	}
	if len(c.tail) == 0 && c.dropped == 0 {
		n := min(half-len(c.head), len(p))
		if n > 0 {
			c.head = append(c.head, p[:n]...)
			p = p[n:]
		}
		if len(p) == 0 {
			return
		}
	}
	keep := c.max - half
	if keep < 1 {
		keep = 1
	}
	if len(p) >= keep {
		c.dropped += int64(len(c.tail) + len(p) - keep)
		c.tail = append(c.tail[:0], p[len(p)-keep:]...)
		return
	}
	c.tail = append(c.tail, p...)
	if len(c.tail) >= 2*keep {
		over := len(c.tail) - keep
		c.dropped += int64(over)
		c.tail = c.tail[:copy(c.tail, c.tail[over:])]
	}
}

func (c *capBuf) writeString(s string) { c.write([]byte(s)) }

// String returns the kept text. When bytes were left out, a marker line in
// the middle says how many.
func (c *capBuf) String() string {
	if c.max > 0 {
		keep := c.max - max(c.max/2, 1)
		if keep < 1 {
			keep = 1
		}
		if over := len(c.tail) - keep; over > 0 {
			c.dropped += int64(over)
			c.tail = c.tail[:copy(c.tail, c.tail[over:])]
		}
	}
	if c.dropped == 0 {
		if len(c.tail) == 0 {
			return string(c.head)
		}
		return string(c.head) + string(c.tail)
	}
	return string(c.head) + "\n[… " + strconv.FormatInt(c.dropped, 10) + " bytes omitted …]\n" + string(c.tail)
}

// Truncated reports whether text was left out.
func (c *capBuf) truncated() bool {
	return c.dropped > 0 || (c.max > 0 && len(c.tail) > c.max-max(c.max/2, 1))
}
