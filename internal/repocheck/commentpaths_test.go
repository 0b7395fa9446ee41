package repocheck

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/acme/customers-api/internal/testenv"
)

const module = "github.com/acme/customers-api/"

// repoFiles returns the repository's files (tracked, or new and not
// ignored), slash-separated and relative to root, as `git ls-files` lists them.
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", root, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// pathsIn returns the repository paths named in text: words that start with
// one of the top-level folders (or the module path, which is dropped) and a
// slash, and are not part of a longer path (crypto/internal/...).
// Trailing punctuation and a "/..." wildcard are dropped.
func pathsIn(text string, top *regexp.Regexp) []string {
	var paths []string
	for _, m := range top.FindAllStringSubmatch(text, -1) {
		p := strings.TrimPrefix(m[1], module)
		p = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(p, ".,:;"), "/..."), "/.,:;")
		paths = append(paths, p)
	}
	return paths
}

// exists reports whether p names a file or folder of the repository, or an
// exported Go identifier of a package folder (constructs/restapi.Settings).
func exists(p string, dirs map[string]bool, files map[string]bool) bool {
	if files[p] || dirs[p] {
		return true
	}
	dir, last := path.Split(p)
	pkg, ident, ok := strings.Cut(last, ".")
	return ok && ident != "" && unicode.IsUpper(rune(ident[0])) && dirs[path.Join(dir, pkg)]
}

func TestPathsNamedInGoCommentsExist(t *testing.T) {
	root, err := testenv.Root()
	if err != nil {
		t.Fatal(err)
	}
	listed := repoFiles(t, root)
	files, dirs := map[string]bool{}, map[string]bool{}
	var tops []string
	for _, f := range listed {
		files[f] = true
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
		if top, _, ok := strings.Cut(f, "/"); ok && !strings.Contains(strings.Join(tops, " ")+" ", " "+top+" ") {
			tops = append(tops, top)
		}
	}
	for i, top := range tops {
		tops[i] = regexp.QuoteMeta(top)
	}
	// A path starts a word (after an optional ./): not after a letter, digit,
	// slash, dot, hyphen or underscore, so Go's crypto/internal/... and URLs
	// do not count.
	word := `(?:^|[^A-Za-z0-9_./-])(?:\./)?`
	named := regexp.MustCompile(word + `((?:` + regexp.QuoteMeta(module) + `)?(?:` + strings.Join(tops, "|") + `)/[A-Za-z0-9_./-]*)`)

	checked := 0
	fset := token.NewFileSet()
	for _, f := range listed {
		// The jsonschema copy is upstream code, whose comments name upstream paths.
		if !strings.HasSuffix(f, ".go") || strings.HasPrefix(f, "lambdakit/validate/internal/jsonschema/") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(fset, f, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("parse %s: %v", f, err)
			continue
		}
		for _, group := range parsed.Comments {
			for _, c := range group.List {
				for _, p := range pathsIn(c.Text, named) {
					checked++
					if !exists(p, dirs, files) {
						t.Errorf("%s: comment names %s, which is not in the repository", fset.Position(c.Slash), p)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Error("found no path in any comment; the pattern is wrong")
	}
}
