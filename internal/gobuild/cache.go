package gobuild

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// CacheEnv names the environment variable that sets the bootstrap cache's
// directory; "off" turns the cache off. Unset, the cache is "gofunction"
// in the user's cache directory (~/.cache/gofunction on Linux).
const CacheEnv = "GOFUNCTION_CACHE"

// cacheTTL is how long an unused bootstrap stays in the cache.
const cacheTTL = 7 * 24 * time.Hour

// cacheRoot returns the bootstrap cache's directory, or "" when it is off.
func cacheRoot() string {
	switch v := os.Getenv(CacheEnv); v {
	case "off":
		return ""
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(dir, "gofunction")
	default:
		return v
	}
}

// cacheKeys names, for each handler package directory in dirs, the
// bootstrap that `go build` would link there: a hash of the build flags,
// the environment and the build ID of every package in the program,
// dependencies included. Go gives a package a new build ID whenever its
// sources, embedded files, flags, toolchain or any dependency's compiled
// output change, so an unchanged key means an unchanged program. One
// `go list -export` per module compiles what is stale (from Go's build
// cache when nothing is) but links nothing: the step the cache saves.
// A directory it cannot name, for example one that does not compile, has
// no key, and its build reports the failure as usual. With the cache off,
// nothing is listed and nothing has a key.
func cacheKeys(goBin string, env []string, dirs ...string) map[string]string {
	if cacheRoot() == "" {
		return nil
	}
	byModule := map[string][]string{}
	for _, dir := range dirs {
		if root, err := moduleRoot(dir); err == nil {
			byModule[root] = append(byModule[root], dir)
		}
	}
	keys := map[string]string{}
	for root, dirs := range byModule {
		args := append([]string{"list", "-export", "-deps", "-f", "{{.Dir}}\t{{.ImportPath}}\t{{.BuildID}}\t{{join .Deps \" \"}}"}, BuildFlags...)
		cmd := exec.Command(goBin, append(args, dirs...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			continue
		}
		ids := map[string]string{}
		var lines [][]string
		for line := range strings.Lines(string(out)) {
			f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			ids[f[1]] = f[2]
			lines = append(lines, f)
		}
		for _, f := range lines {
			if !slices.Contains(dirs, f[0]) {
				continue
			}
			h := sha256.New()
			fmt.Fprintf(h, "%q %q\n%s %s\n", BuildFlags, env, f[1], f[2])
			for _, dep := range strings.Fields(f[3]) {
				fmt.Fprintf(h, "%s %s\n", dep, ids[dep])
			}
			keys[f[0]] = hex.EncodeToString(h.Sum(nil))
		}
	}
	return keys
}

// fromCache copies the cached bootstrap named key into outDir and reports
// whether there was one.
func fromCache(root, key, outDir string) bool {
	src := filepath.Join(root, key)
	if err := copyFile(src, filepath.Join(outDir, "bootstrap")); err != nil {
		return false
	}
	now := time.Now()
	os.Chtimes(src, now, now) // in use: keep it past the trim
	return true
}

// toCache stores the bootstrap at path under key, then drops the entries
// nobody used within cacheTTL. The cache only saves time, so failures are
// ignored: the next synth builds again.
func toCache(root, key, path string) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(root, ".tmp-")
	if err != nil {
		return
	}
	stored := writeFrom(tmp, path) == nil && os.Chmod(tmp.Name(), 0o755) == nil &&
		os.Rename(tmp.Name(), filepath.Join(root, key)) == nil
	if !stored {
		os.Remove(tmp.Name())
		return
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > cacheTTL {
			os.Remove(filepath.Join(root, e.Name()))
		}
	}
}

// writeFrom copies the file at src into f and closes f.
func writeFrom(f *os.File, src string) error {
	in, err := os.Open(src)
	if err == nil {
		_, err = io.Copy(f, in)
		in.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyFile copies src to dst as an executable, replacing any file there.
func copyFile(src, dst string) error {
	os.Remove(dst)
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if err := writeFrom(f, src); err != nil {
		os.Remove(dst)
		return err
	}
	return nil
}
