package ciconfig

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The YAML document is turned into a small tree of plain values before the
// GitLab rules are applied: *omap for mappings (keys in document order),
// []any for sequences, string for scalars, nil for null, and ref for a
// !reference tag. Aliases and merge keys are resolved while converting.
// Values may be shared (an alias converts once), so nothing in this package
// changes a value after it is built.

// omap is a mapping that keeps its keys in document order.
type omap struct {
	keys []string
	vals map[string]any
}

func newOmap(n int) *omap { return &omap{keys: make([]string, 0, n), vals: make(map[string]any, n)} }

func (m *omap) get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.vals[k]
	return v, ok
}

func (m *omap) set(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m *omap) len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// ref is a !reference [a, b, c] tag: a path of keys from the top level.
type ref struct{ path []string }

// converter turns yaml nodes into values.
type converter struct {
	memo map[*yaml.Node]any
	busy map[*yaml.Node]bool
	// symbolKeys strips one leading ':' from mapping keys: GitLab versions
	// that wrote merged_yaml from a Ruby hash with symbol keys produce
	// ":job:" for "job".
	symbolKeys bool
	nodes      int
}

// maxNodes bounds the values one document may turn into.
const maxNodes = 2_000_000

var errTooComplex = errors.New("configuration too complex")

func (c *converter) convert(n *yaml.Node, depth int) (any, error) {
	if n == nil {
		return nil, nil
	}
	if depth > 200 {
		return nil, fmt.Errorf("%w: nested deeper than 200 levels", errTooComplex)
	}
	c.nodes++
	if c.nodes > maxNodes {
		return nil, fmt.Errorf("%w: more than %d values", errTooComplex, maxNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth+1)
	case yaml.AliasNode:
		return c.alias(n.Alias, depth)
	case yaml.ScalarNode:
		if n.Tag == "!reference" {
			return nil, fmt.Errorf("line %d: !reference needs a sequence of keys", n.Line)
		}
		if n.ShortTag() == "!!null" {
			return nil, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		if n.Tag == "!reference" {
			r := ref{}
			for _, e := range n.Content {
				v, err := c.convert(e, depth+1)
				if err != nil {
					return nil, err
				}
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("line %d: !reference keys must be strings", n.Line)
				}
				r.path = append(r.path, s)
			}
			if len(r.path) == 0 {
				return nil, fmt.Errorf("line %d: empty !reference", n.Line)
			}
			return r, nil
		}
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	}
	return nil, fmt.Errorf("line %d: unexpected yaml node kind %d", n.Line, n.Kind)
}

func (c *converter) alias(target *yaml.Node, depth int) (any, error) {
	if target == nil {
		return nil, nil
	}
	if v, ok := c.memo[target]; ok {
		return v, nil
	}
	if c.busy[target] {
		return nil, fmt.Errorf("line %d: anchor refers to itself", target.Line)
	}
	c.busy[target] = true
	v, err := c.convert(target, depth+1)
	delete(c.busy, target)
	if err != nil {
		return nil, err
	}
	c.memo[target] = v
	return v, nil
}

func (c *converter) key(n *yaml.Node) string {
	k := n.Value
	if c.symbolKeys && strings.HasPrefix(k, ":") {
		k = k[1:]
	}
	return k
}

// mapping converts a mapping node. Explicit keys win over merged ones
// ("<<: *anchor"); among several merged maps the first one wins.
func (c *converter) mapping(n *yaml.Node, depth int) (any, error) {
	if n.Anchor != "" {
		// A mapping reached by its anchor before it is aliased: convert
		// once so that later aliases share the result.
		if v, ok := c.memo[n]; ok {
			return v, nil
		}
	}
	if len(n.Content)%2 != 0 {
		return nil, fmt.Errorf("line %d: malformed mapping", n.Line)
	}
	explicit := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !isMergeKey(k) {
			explicit[c.key(k)] = true
		}
	}
	m := newOmap(len(n.Content) / 2)
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			if err := c.merge(m, v, explicit, depth); err != nil {
				return nil, err
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
		}
		val, err := c.convert(v, depth+1)
		if err != nil {
			return nil, err
		}
		m.set(c.key(k), val)
	}
	if n.Anchor != "" {
		c.memo[n] = m
	}
	return m, nil
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "" || k.Tag == "!!merge" || k.ShortTag() == "!!merge")
}

func (c *converter) merge(into *omap, v *yaml.Node, explicit map[string]bool, depth int) error {
	var sources []*yaml.Node
	if v.Kind == yaml.SequenceNode {
		sources = v.Content
	} else {
		sources = []*yaml.Node{v}
	}
	for _, s := range sources {
		val, err := c.convert(s, depth+1)
		if err != nil {
			return err
		}
		src, ok := val.(*omap)
		if !ok {
			return fmt.Errorf("line %d: merge key needs a mapping", s.Line)
		}
		for _, k := range src.keys {
			if explicit[k] {
				continue
			}
			if _, ok := into.get(k); ok {
				continue
			}
			into.set(k, src.vals[k])
		}
	}
	return nil
}

// deepMerge returns base with over merged in, as GitLab merges extends:
// mappings merge key by key, recursively; anything else in over replaces
// what base has. Neither input is changed.
func deepMerge(base, over any) any {
	bm, ok1 := base.(*omap)
	om, ok2 := over.(*omap)
	if !ok1 || !ok2 {
		return over
	}
	out := newOmap(bm.len() + om.len())
	for _, k := range bm.keys {
		out.set(k, bm.vals[k])
	}
	for _, k := range om.keys {
		if prev, ok := out.get(k); ok {
			out.set(k, deepMerge(prev, om.vals[k]))
			continue
		}
		out.set(k, om.vals[k])
	}
	return out
}

// scalar returns v as a string when it is a scalar.
func scalar(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}
