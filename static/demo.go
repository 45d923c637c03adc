package static

import "embed"

// Demo holds demo/: short lesson videos (WebM, VP9, no audio) that the seed
// stores as course material, listed one a line in demo/README.txt.
//
//go:embed demo
var Demo embed.FS
