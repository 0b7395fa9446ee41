package repocheck

import (
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/packages"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the README's code map")

const (
	handlersPkg = module + "internal/customers/handlers"
	contractPkg = module + "internal/customers/contract"
)

// load type-checks the packages of patterns (relative to the module root)
// from source; their dependencies come from export data.
func load(t *testing.T, root string, patterns ...string) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{Dir: root, Tests: false,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedImports}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("%s: %v", p.PkgPath, e)
		}
	}
	return pkgs
}

// calledFunc is the function or method a call calls, or nil for a call of
// a function value or a conversion.
func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// operationOf is the value of expr when it is a constant of type
// contract.OperationName, and "" otherwise.
func operationOf(info *types.Info, expr ast.Expr) contract.OperationName {
	tv, ok := info.Types[expr]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return ""
	}
	named, ok := tv.Type.(*types.Named)
	if !ok || named.Obj().Pkg().Path() != contractPkg || named.Obj().Name() != "OperationName" {
		return ""
	}
	return contract.OperationName(constant.StringVal(tv.Value))
}

// mainCalls returns the operations a main package passes to handlers.Main,
// one entry per call; an argument that is not a contract.OperationName
// constant is "".
func mainCalls(p *packages.Package) []contract.OperationName {
	var ops []contract.OperationName
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if fn := calledFunc(p.TypesInfo, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == handlersPkg && fn.Name() == "Main" && len(call.Args) == 1 {
				ops = append(ops, operationOf(p.TypesInfo, call.Args[0]))
			}
			return true
		})
	}
	return ops
}

// handlerChain is what the handlers package does for each operation, read
// from its source: the method its operations table maps the operation to,
// the operation whose route that method registers (contract.Route), the
// unexported method that serves the requests, and the store and
// idempotency methods that method reaches.
type handlerChain struct {
	method string
	route  contract.OperationName
	serve  string
	store  []string
}

func handlerChains(t *testing.T, p *packages.Package) map[contract.OperationName]*handlerChain {
	t.Helper()
	decls := map[*types.Func]*ast.FuncDecl{}
	var table *ast.CompositeLit
	for _, f := range p.Syntax {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				decls[p.TypesInfo.Defs[d.Name].(*types.Func)] = d
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok && len(vs.Names) == 1 && vs.Names[0].Name == "operations" {
						table, _ = vs.Values[0].(*ast.CompositeLit)
					}
				}
			}
		}
	}
	if table == nil {
		t.Fatal("handlers: no operations table")
	}
	chains := map[contract.OperationName]*handlerChain{}
	for _, elt := range table.Elts {
		kv := elt.(*ast.KeyValueExpr)
		op := operationOf(p.TypesInfo, kv.Key)
		sel, ok := ast.Unparen(kv.Value).(*ast.SelectorExpr)
		if op == "" || !ok {
			t.Fatalf("handlers: operations entry %s is not contract.Name: (*Handlers).Method", types.ExprString(kv.Key))
		}
		method := p.TypesInfo.Uses[sel.Sel].(*types.Func)
		c := &handlerChain{method: method.Name()}
		chains[op] = c
		// The method is h.svc.Handle(contract.Route(op), h.serve).
		ast.Inspect(decls[method].Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn := calledFunc(p.TypesInfo, call)
			switch {
			case fn == nil:
			case fn.Pkg().Path() == contractPkg && fn.Name() == "Route":
				c.route = operationOf(p.TypesInfo, call.Args[0])
			case fn.Name() == "Handle" && len(call.Args) == 2:
				if s, ok := call.Args[1].(*ast.SelectorExpr); ok {
					serve := p.TypesInfo.Uses[s.Sel].(*types.Func)
					c.serve = serve.Name()
					c.store = reached(p, decls, serve)
				}
			}
			return true
		})
	}
	return chains
}

// reached lists the methods of the store and idempotency packages that fn
// calls, directly or through functions of its own package, as
// "store.Create" or "idempotency.Commit", sorted.
func reached(p *packages.Package, decls map[*types.Func]*ast.FuncDecl, fn *types.Func) []string {
	seen := map[*types.Func]bool{}
	found := map[string]bool{}
	var walk func(*types.Func)
	walk = func(fn *types.Func) {
		if seen[fn] || decls[fn] == nil {
			return
		}
		seen[fn] = true
		ast.Inspect(decls[fn].Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				callee := calledFunc(p.TypesInfo, call)
				switch {
				case callee == nil || callee.Pkg() == nil:
				case callee.Pkg() == p.Types:
					walk(callee)
				case callee.Pkg().Path() == module+"internal/customers/store" || callee.Pkg().Path() == module+"lambdakit/idempotency":
					if callee.Signature().Recv() != nil {
						found[callee.Pkg().Name()+"."+callee.Name()] = true
					}
				}
			}
			return true
		})
	}
	walk(fn)
	out := make([]string, 0, len(found))
	for name := range found {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Each operation's entry is a main package that passes that very operation
// to handlers.Main, and the handler handlers.Main picks for it registers
// the operation's own route: a main that serves another operation, or an
// operations table that maps one operation to another's method, fails here.
func TestEachOperationsMainCallsTheHandlerOfThatOperation(t *testing.T) {
	root, err := testenv.Root()
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, op := range contract.Operations {
		patterns = append(patterns, "./"+op.Entry)
	}
	pkgs := load(t, root, append(patterns, "./internal/customers/handlers")...)
	byPath := map[string]*packages.Package{}
	for _, p := range pkgs {
		byPath[p.PkgPath] = p
	}
	chains := handlerChains(t, byPath[handlersPkg])
	for _, op := range contract.Operations {
		p := byPath[module+op.Entry]
		if p == nil || p.Name != "main" {
			t.Errorf("%s: entry %s is not a main package", op.Name, op.Entry)
			continue
		}
		if got := mainCalls(p); !slices.Equal(got, []contract.OperationName{op.Name}) {
			t.Errorf("%s: %s/main.go passes %q to handlers.Main, want exactly one call with contract's %q", op.Name, op.Entry, got, op.Name)
		}
		c := chains[op.Name]
		switch {
		case c == nil:
			t.Errorf("%s: the handlers' operations table has no entry", op.Name)
		case c.route != op.Name:
			t.Errorf("%s: handlers' operations table maps it to (*Handlers).%s, which registers the route of %q", op.Name, c.method, c.route)
		case c.serve == "" || len(c.store) == 0:
			t.Errorf("%s: (*Handlers).%s serves with %q, which reaches no store method", op.Name, c.method, c.serve)
		}
	}
	if len(chains) != len(contract.Operations) {
		t.Errorf("the handlers' operations table has %d entries, the contract %d operations", len(chains), len(contract.Operations))
	}
}

const (
	codeMapBegin = "<!-- code map: written by go test ./internal/repocheck -run TestTheREADMEsCodeMap -update -->\n"
	codeMapEnd   = "<!-- end of code map -->\n"
)

// codeMap renders the README's code map: per operation, its route, main
// package, handler, the store methods the handler calls and the IAM
// actions its function is granted.
func codeMap(chains map[contract.OperationName]*handlerChain) string {
	var b strings.Builder
	b.WriteString("| route | main | handler | store | IAM actions on the table (items of) |\n|---|---|---|---|---|\n")
	short := func(actions []string) string {
		var out []string
		for _, a := range actions {
			out = append(out, strings.TrimPrefix(a, "dynamodb:"))
		}
		return strings.Join(out, ", ")
	}
	for _, op := range contract.Operations {
		c := chains[op.Name]
		access := fmt.Sprintf("%s (`%s`)", short(op.Table.Actions), strings.Join(op.Table.KeyPrefixes, "`, `"))
		if len(op.Table.IndexActions) > 0 {
			access += fmt.Sprintf("; %s on `%s`", short(op.Table.IndexActions), strings.Join(op.Table.Indexes, "`, `"))
		}
		fmt.Fprintf(&b, "| `%s %s` | [`%s`](%s/main.go) | `handlers.%s` → `%s` | `%s` | %s |\n",
			op.Method, op.Path, op.Entry, op.Entry, c.method, c.serve, strings.Join(c.store, "`, `"), access)
	}
	return b.String()
}

// The README's code map is what the source says: it is rendered from the
// contract and the handlers' source, so it cannot go stale.
func TestTheREADMEsCodeMap(t *testing.T) {
	root, err := testenv.Root()
	if err != nil {
		t.Fatal(err)
	}
	pkgs := load(t, root, "./internal/customers/handlers")
	want := codeMap(handlerChains(t, pkgs[0]))
	readme := filepath.Join(root, "README.md")
	raw, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start, end := strings.Index(text, codeMapBegin), strings.Index(text, codeMapEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md has no code map between %q and %q", codeMapBegin, codeMapEnd)
	}
	got := text[start+len(codeMapBegin) : end]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(readme, []byte(text[:start+len(codeMapBegin)]+want+text[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's code map is stale (-want +got); rewrite it with go test ./internal/repocheck -run TestTheREADMEsCodeMap -update:\n%s", cmp.Diff(want, got))
}
