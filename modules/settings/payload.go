package settings

// View is a setting as shown to administrators.
type View struct {
	Key     string  `json:"key"`
	Group   string  `json:"group"`
	Label   string  `json:"label"`
	Help    string  `json:"help,omitempty"`
	Kind    Kind    `json:"kind"`
	Value   string  `json:"value"`
	Default string  `json:"default"`
	Min     float64 `json:"min,omitempty"`
	Max     float64 `json:"max,omitempty"`
}
