package restapi

import (
	"regexp"
	"slices"
	"strings"
)

// methods are the HTTP methods an Operation may have: the methods API
// Gateway serves on a resource ("Set up a method using the API Gateway
// console", API Gateway Developer Guide: GET, POST, PUT, PATCH, DELETE,
// HEAD, OPTIONS, and ANY), in upper case as API Gateway and RFC 9110 §9.1
// spell them, less ANY, which is the 405 Method Not Allowed MOCK of every
// path. HEAD is made from a path's GET (see RestAPI.Methods); OPTIONS is
// the CORS preflight when CORSOrigins is set.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// A resource path part is a literal or a path variable, "{name}", or a
// greedy one, "{name+}", which takes the rest of the path and so can have
// no child ("Set up a proxy integration with a proxy resource", API
// Gateway Developer Guide). The characters are those the CDK's Resource
// accepts in a path part (it panics with ResourceSPathPartOnly on any
// other: a-z, A-Z, 0-9 and :._-$); a variable's name is narrower, without
// : and $, which would not survive in a request parameter's name.
var (
	pathPartLiteral  = regexp.MustCompile(`^[A-Za-z0-9:._$-]+$`)
	pathPartVariable = regexp.MustCompile(`^\{[A-Za-z0-9._-]+\+?\}$`)
)

// validateRoutes reports, with bad, an operation whose Method or Path API
// Gateway (or the methods restapi adds itself) would refuse.
func validateRoutes(p Props, bad func(string, ...any)) {
	gets := map[string]bool{}
	for _, op := range p.Operations {
		if op.Method == "GET" {
			gets[op.Path] = true
		}
	}
	variables := map[string]string{} // a parent path's variable child
	for _, op := range p.Operations {
		switch {
		case !slices.Contains(methods, op.Method):
			bad("operation %s: Method %q must be one of %s", op.Key(), op.Method, strings.Join(methods, ", "))
		case op.Method == "HEAD" && gets[op.Path]:
			bad("operation %s: Method HEAD: restapi makes the HEAD of %s from its GET; drop this operation", op.Key(), op.Path)
		case op.Method == "OPTIONS" && len(p.CORSOrigins) > 0:
			bad("operation %s: Method OPTIONS: with CORSOrigins, restapi answers the CORS preflight on every path itself", op.Key())
		}
		validatePath(op, variables, bad)
	}
}

// validatePath reports, with bad, the first part of op's Path that API
// Gateway refuses; variables holds each parent path's variable child, of
// the paths seen so far.
func validatePath(op Operation, variables map[string]string, bad func(string, ...any)) {
	if !strings.HasPrefix(op.Path, "/") {
		bad("operation %s: Path must start with /", op.Key())
		return
	}
	if op.Path == "/" {
		return
	}
	parts := strings.Split(op.Path[1:], "/")
	for i, part := range parts {
		parent := "/" + strings.Join(parts[:i], "/")
		switch {
		case !pathPartLiteral.MatchString(part) && !pathPartVariable.MatchString(part):
			bad("operation %s: Path part %q must be letters, digits and :._$-, or a variable {name} or {name+}", op.Key(), part)
			return
		case strings.HasSuffix(part, "+}") && i < len(parts)-1:
			bad("operation %s: Path: the greedy variable %s takes the rest of the path and can have no child", op.Key(), part)
			return
		case pathPartVariable.MatchString(part):
			// A resource has at most one variable child: API Gateway
			// could not tell /a/{id} from /a/{key}.
			if other, ok := variables[parent]; ok && other != part {
				bad("operation %s: Path: %s has two variable children, %s and %s; API Gateway allows one", op.Key(), parent, other, part)
				return
			}
			variables[parent] = part
		}
	}
}
