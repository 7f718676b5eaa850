package glabconfig

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxAliasDepth bounds alias chains and merge nesting, so a hostile file
// cannot make a lookup loop.
const maxAliasDepth = 16

// parseYAML returns the top-level mapping of a YAML document; an empty
// document gives nil.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := deref(doc.Content[0])
	if root == nil {
		return nil, nil
	}
	switch {
	case root.Kind == yaml.MappingNode:
		return root, nil
	case root.Kind == yaml.ScalarNode && root.Tag == "!!null":
		return nil, nil
	}
	return nil, fmt.Errorf("top level is not a mapping (line %d)", root.Line)
}

// deref follows alias nodes to what they point at.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i >= maxAliasDepth {
			return nil
		}
		n = n.Alias
	}
	return n
}

// pair is one key of a mapping with its (dereferenced) value.
type pair struct {
	key   string
	value *yaml.Node
}

// pairs lists a mapping's keys in file order, explicit keys first, then the
// keys brought in by merge keys (<<) that are not already present, as YAML's
// merge rules say.
func pairs(m *yaml.Node) []pair {
	return pairsDepth(m, 0)
}

func pairsDepth(m *yaml.Node, depth int) []pair {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode || depth > maxAliasDepth {
		return nil
	}
	var out []pair
	seen := map[string]bool{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) {
			merges = append(merges, v)
			continue
		}
		if seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{k.Value, v})
	}
	for _, mv := range merges {
		var sources []*yaml.Node
		if mv != nil && mv.Kind == yaml.SequenceNode {
			sources = mv.Content
		} else {
			sources = []*yaml.Node{mv}
		}
		for _, s := range sources {
			for _, p := range pairsDepth(s, depth+1) {
				if !seen[p.key] {
					seen[p.key] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// lookup returns the value of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for _, p := range pairs(m) {
		if p.key == key {
			return p.value
		}
	}
	return nil
}

// scalar returns the text of a scalar node; null and non-scalars give "".
// Quoted and unquoted values read the same: glab writes `"true"` and people
// write `true`.
func scalar(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}
