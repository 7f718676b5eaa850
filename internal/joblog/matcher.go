package joblog

// maxRules is how many rules a ruleMask can hold.
const maxRules = 128

// ruleMask is a set of rule indexes.
type ruleMask [maxRules / 64]uint64

func (m *ruleMask) set(i int)            { m[i>>6] |= 1 << (i & 63) }
func (m *ruleMask) has(i int) bool       { return m[i>>6]&(1<<(i&63)) != 0 }
func (m *ruleMask) or(o *ruleMask)       { m[0] |= o[0]; m[1] |= o[1] }
func (m *ruleMask) any(o *ruleMask) bool { return m[0]&o[0] != 0 || m[1]&o[1] != 0 }
func (m *ruleMask) isZero() bool         { return m[0]|m[1] == 0 }

// keywordMatcher finds, in one pass over a line, which rules have one of
// their keywords in it. It is an Aho-Corasick automaton compiled to a DFA
// over byte classes, with ASCII case folded.
type keywordMatcher struct {
	class  [256]uint8 // byte -> class; 0 for bytes in no keyword
	nclass int
	delta  []int32    // state*nclass + class -> next state
	out    []int32    // state -> index in masks, 0 for none
	masks  []ruleMask // masks[0] is empty
}

func newKeywordMatcher(keywords []string, owners []int) *keywordMatcher {
	km := &keywordMatcher{}
	lower := func(c byte) byte {
		if c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	next := uint8(1)
	for _, k := range keywords {
		for i := 0; i < len(k); i++ {
			c := lower(k[i])
			if km.class[c] == 0 {
				km.class[c] = next
				next++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		km.class[c] = km.class[c+'a'-'A']
	}
	nc := int(next)
	km.nclass = nc

	// The trie.
	type node struct {
		next []int32
		mask ruleMask
		fail int32
	}
	nodes := []node{{next: make([]int32, nc)}}
	for ki, k := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			c := km.class[lower(k[i])]
			if nodes[s].next[c] == 0 {
				nodes = append(nodes, node{next: make([]int32, nc)})
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].mask.set(owners[ki])
	}
	// Breadth-first: failure links, outputs merged along them, and the
	// transitions completed into a DFA.
	queue := []int32{}
	for c := 0; c < nc; c++ {
		if t := nodes[0].next[c]; t != 0 {
			nodes[t].fail = 0
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		nodes[s].mask.or(&nodes[f].mask)
		for c := 0; c < nc; c++ {
			t := nodes[s].next[c]
			if t == 0 {
				nodes[s].next[c] = nodes[f].next[c]
				continue
			}
			nodes[t].fail = nodes[f].next[c]
			queue = append(queue, t)
		}
	}
	km.delta = make([]int32, len(nodes)*nc)
	km.out = make([]int32, len(nodes))
	km.masks = []ruleMask{{}}
	for s, n := range nodes {
		copy(km.delta[s*nc:], n.next)
		if !n.mask.isZero() {
			km.out[s] = int32(len(km.masks))
			km.masks = append(km.masks, n.mask)
		}
	}
	// Store states premultiplied by nclass to save a multiplication per byte.
	for i, t := range km.delta {
		km.delta[i] = t * int32(nc)
	}
	return km
}

// scan returns the rules that have a keyword in line.
func (km *keywordMatcher) scan(line []byte) ruleMask {
	var m ruleMask
	s := int32(0)
	nc := int32(km.nclass)
	delta, out, class := km.delta, km.out, &km.class
	for _, c := range line {
		s = delta[s+int32(class[c])]
		if o := out[s/nc]; o != 0 {
			m.or(&km.masks[o])
		}
	}
	return m
}
