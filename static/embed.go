// Package static carries the page templates and assets inside the binary.
package static

import "embed"

// FS holds templates/ (page templates parsed once at start) and assets/
// (CSS, JavaScript and images served under /static/).
//
//go:embed templates assets
var FS embed.FS
