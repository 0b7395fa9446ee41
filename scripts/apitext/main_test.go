package main

import (
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/gcexportdata"
)

const src = `package shapes

import "time"

const Sides = 4

var Default = Square{Side: 1}

func New(side float64) *Square { return &Square{Side: side} }

type Square struct {
	Side  float64 ` + "`json:\"side\"`" + `
	color string
	time.Duration
}

func (s *Square) Area() float64 { return s.Side * s.Side }
func (s Square) String() string { return "" }
func (s Square) hidden()        {}

type Shape interface {
	Area() float64
	private()
}

type Set[T comparable] map[T]bool

type Alias = Square

type hiddenType int
`

// TestRendersWhatApidiffRecorded writes export data as apidiff -w does (the
// package path on a line, then gcexportdata) and reads it back as text.
func TestRendersWhatApidiffRecorded(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "shapes.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("example.com/shapes", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString(pkg.Path() + "\n")
	if err := gcexportdata.Write(&buf, fset, pkg); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "shapes.export")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	read, err := read(file)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	render(&got, read)
	want := `package shapes // import "example.com/shapes"

const Sides untyped int = 4

var Default Square

func New(side float64) *Square

type Alias = Square

type Set[T comparable] map[T]bool

type Shape interface {
	Area() float64
	// 1 unexported method(s)
}

type Square struct {
	Side float64 ` + "`json:\"side\"`" + `
	time.Duration // embedded
	// 1 unexported field(s)
}
func (*Square).Area() float64
func (Square).String() string
`
	if diff := cmp.Diff(want, got.String()); diff != "" {
		t.Errorf("render (-want +got):\n%s", diff)
	}
}

func TestRejectsAFileWithoutExportData(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.export")
	if err := os.WriteFile(file, []byte("example.com/x\nnot export data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := read(file); err == nil {
		t.Error("read of a file without export data: nil error, want one")
	}
}
