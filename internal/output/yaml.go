package output

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// encodeYAML writes a generic value as one YAML document: keys sorted,
// numbers as received and unquoted, strings quoted only when they would
// otherwise read as another type, empty lists and objects as [] and {}.
func encodeYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(v)); err != nil {
		return err
	}
	return enc.Close()
}

func yamlNode(v any) *yaml.Node {
	scalar := func(tag, value string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
	}
	switch x := v.(type) {
	case nil:
		return scalar("!!null", "null")
	case bool:
		return scalar("!!bool", strconv.FormatBool(x))
	case string:
		return scalar("!!str", x)
	// Numbers are written plain and untagged, exactly as received: a tag
	// would be spelt out for integers too big for int64.
	case json.Number:
		return scalar("", x.String())
	case int:
		return scalar("", strconv.Itoa(x))
	case int64:
		return scalar("", strconv.FormatInt(x, 10))
	case *big.Int:
		return scalar("", x.String())
	case float64:
		switch {
		case math.IsNaN(x):
			return scalar("", ".nan")
		case math.IsInf(x, 1):
			return scalar("", ".inf")
		case math.IsInf(x, -1):
			return scalar("", "-.inf")
		}
		return scalar("", strconv.FormatFloat(x, 'g', -1, 64))
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range x {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, k := range sortedKeys(x) {
			n.Content = append(n.Content, scalar("!!str", k), yamlNode(x[k]))
		}
		return n
	}
	return scalar("!!str", fmt.Sprint(v))
}
