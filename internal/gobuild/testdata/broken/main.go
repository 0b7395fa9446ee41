// Command broken does not compile; the gofunction tests check that its
// build error reaches the caller with the compiler output.
package main

func main() { undefinedFunction() }
