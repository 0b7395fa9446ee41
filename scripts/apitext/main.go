// Command apitext renders an API baseline file of api/ (the export data that
// apidiff -w writes: the package path on the first line, then the package's
// types in gcexportdata's format) as text a reviewer can read:
//
//	apitext api/constructs/restapi.export > api/constructs/restapi.txt
//
// It prints the package's exported constants (with their values), variables,
// functions and types, sorted by name, with each type's exported fields and methods, in
// Go syntax as go/types writes it (types.ObjectString). Other packages are
// named by their import path's last element. Unexported fields are counted,
// not listed, as `go doc` does. The output depends only on the file, so
// scripts/apicheck.sh can tell a stale rendering from a fresh one.
package main

import (
	"bufio"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/tools/go/gcexportdata"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: apitext FILE.export")
		os.Exit(2)
	}
	pkg, err := read(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "apitext: %v\n", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	render(w, pkg)
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "apitext: %v\n", err)
		os.Exit(1)
	}
}

// read loads the package recorded by `apidiff -w` in file, as apidiff
// itself reads it (cmd/apidiff's readPackageExportData).
func read(file string) (*types.Package, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	path, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("%s: no package path line: %w", file, err)
	}
	pkg, err := gcexportdata.Read(r, token.NewFileSet(), map[string]*types.Package{}, strings.TrimSuffix(path, "\n"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return pkg, nil
}

func render(w io.Writer, pkg *types.Package) {
	qualify := func(other *types.Package) string {
		if other == pkg {
			return ""
		}
		return other.Name()
	}
	fmt.Fprintf(w, "package %s // import %q\n", pkg.Name(), pkg.Path())
	scope := pkg.Scope()
	// Names is sorted; print constants, variables, functions, then types.
	for _, kind := range []string{"const", "var", "func", "type"} {
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if !obj.Exported() || kindOf(obj) != kind {
				continue
			}
			fmt.Fprintln(w)
			if tn, ok := obj.(*types.TypeName); ok {
				renderType(w, tn, qualify)
				continue
			}
			line := types.ObjectString(obj, qualify)
			if c, ok := obj.(*types.Const); ok {
				line += " = " + c.Val().ExactString()
			}
			fmt.Fprintln(w, line)
		}
	}
}

func kindOf(obj types.Object) string {
	switch obj.(type) {
	case *types.Const:
		return "const"
	case *types.Var:
		return "var"
	case *types.Func:
		return "func"
	case *types.TypeName:
		return "type"
	}
	return ""
}

// renderType prints a type declaration, its exported struct fields or
// interface methods, and its exported methods.
func renderType(w io.Writer, tn *types.TypeName, qualify types.Qualifier) {
	head := "type " + tn.Name()
	if named, ok := tn.Type().(*types.Named); ok && named.TypeParams().Len() > 0 {
		var params []string
		for i := range named.TypeParams().Len() {
			p := named.TypeParams().At(i)
			params = append(params, p.Obj().Name()+" "+types.TypeString(p.Constraint(), qualify))
		}
		head += "[" + strings.Join(params, ", ") + "]"
	}
	if tn.IsAlias() {
		head += " ="
	}
	under := tn.Type().Underlying()
	if alias, ok := tn.Type().(*types.Alias); ok {
		under = alias.Rhs()
	}
	switch u := under.(type) {
	case *types.Struct:
		if tn.IsAlias() {
			break
		}
		fmt.Fprintln(w, head+" struct {")
		hidden := 0
		for i := range u.NumFields() {
			f := u.Field(i)
			if !f.Exported() {
				hidden++
				continue
			}
			line := "\t" + f.Name() + " " + types.TypeString(f.Type(), qualify)
			if f.Embedded() {
				line = "\t" + types.TypeString(f.Type(), qualify) + " // embedded"
			}
			if tag := u.Tag(i); tag != "" {
				line += " `" + tag + "`"
			}
			fmt.Fprintln(w, line)
		}
		if hidden > 0 {
			fmt.Fprintf(w, "\t// %d unexported field(s)\n", hidden)
		}
		fmt.Fprintln(w, "}")
		renderMethods(w, tn, qualify)
		return
	case *types.Interface:
		if tn.IsAlias() {
			break
		}
		fmt.Fprintln(w, head+" interface {")
		for i := range u.NumEmbeddeds() {
			fmt.Fprintln(w, "\t"+types.TypeString(u.EmbeddedType(i), qualify))
		}
		hidden := 0
		for i := range u.NumExplicitMethods() {
			m := u.ExplicitMethod(i)
			if !m.Exported() {
				hidden++
				continue
			}
			sig := types.TypeString(m.Type(), qualify)
			fmt.Fprintln(w, "\t"+m.Name()+strings.TrimPrefix(sig, "func"))
		}
		if hidden > 0 {
			fmt.Fprintf(w, "\t// %d unexported method(s)\n", hidden)
		}
		fmt.Fprintln(w, "}")
		return
	}
	fmt.Fprintln(w, head+" "+types.TypeString(under, qualify))
	if !tn.IsAlias() {
		renderMethods(w, tn, qualify)
	}
}

// renderMethods prints the exported methods declared on a named type, by name.
func renderMethods(w io.Writer, tn *types.TypeName, qualify types.Qualifier) {
	named, ok := tn.Type().(*types.Named)
	if !ok {
		return
	}
	var methods []*types.Func
	for i := range named.NumMethods() {
		if m := named.Method(i); m.Exported() {
			methods = append(methods, m)
		}
	}
	slices.SortFunc(methods, func(a, b *types.Func) int { return strings.Compare(a.Name(), b.Name()) })
	for _, m := range methods {
		fmt.Fprintln(w, types.ObjectString(m, qualify))
	}
}
