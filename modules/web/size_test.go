package web

import "testing"

func TestSizeText(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		0: "0 字节", 900: "900 字节", 1536: "1.5 KB", 20 << 20: "20 MB", 1<<20 + 100<<10: "1.1 MB",
		2048 << 20: "2 GB", 1536 << 20: "1.5 GB", 10 << 30: "10 GB",
	} {
		if got := SizeText(n); got != want {
			t.Errorf("SizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
