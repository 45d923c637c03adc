// Command college is the Cadre Online College (干部网络学院) server: one binary
// for the embedded defaults and for production with MySQL, Redis and MinIO.
package main

import (
	"fmt"
	"os"

	_ "time/tzdata" // the college's calendar is Asia/Shanghai, even in a bare image
)

func main() {
	if err := run(os.Args[1:], os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "college:", err)
		os.Exit(1)
	}
}
