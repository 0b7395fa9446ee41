// Command synthsummary prints, for each stack in a cloud assembly (cdk.out),
// its environment, its resources counted by type, the size of each Lambda
// asset, and every cdk-nag finding left in the assembly's metadata.
//
//	go run ./tools/synthsummary [cdk.out]
package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile string `json:"templateFile"`
		} `json:"properties"`
		Metadata map[string][]struct {
			Type string `json:"type"`
			Data any    `json:"data"`
		} `json:"metadata"`
	} `json:"artifacts"`
}

type template struct {
	Resources map[string]struct {
		Type       string `json:"Type"`
		Properties struct {
			Code struct {
				S3Key any `json:"S3Key"`
			} `json:"Code"`
		} `json:"Properties"`
		Metadata map[string]any `json:"Metadata"`
	} `json:"Resources"`
}

func main() {
	dir := "cdk.out"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := summarize(os.Stdout, dir); err != nil {
		fmt.Fprintln(os.Stderr, "synthsummary:", err)
		os.Exit(1)
	}
}

func summarize(w io.Writer, dir string) error {
	var m manifest
	if err := readJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		return err
	}
	var names []string
	for name, a := range m.Artifacts {
		if a.Type == "aws:cloudformation:stack" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	totalFindings := 0
	for _, name := range names {
		a := m.Artifacts[name]
		var t template
		if err := readJSON(filepath.Join(dir, a.Properties.TemplateFile), &t); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  (%s)  %d resources\n", name, a.Environment, len(t.Resources))
		counts := map[string]int{}
		var assets []string
		for id, r := range t.Resources {
			counts[r.Type]++
			if r.Type == "AWS::Lambda::Function" {
				path, _ := r.Metadata["aws:asset:path"].(string)
				assets = append(assets, fmt.Sprintf("    %-40s %s", id, assetSize(dir, path)))
			}
		}
		types := make([]string, 0, len(counts))
		for typ := range counts {
			types = append(types, typ)
		}
		slices.Sort(types)
		for _, typ := range types {
			fmt.Fprintf(w, "  %3d  %s\n", counts[typ], typ)
		}
		if len(assets) > 0 {
			slices.Sort(assets)
			fmt.Fprintln(w, "  Lambda assets:")
			fmt.Fprintln(w, strings.Join(assets, "\n"))
		}
		var findings []string
		for path, entries := range a.Metadata {
			for _, e := range entries {
				text, _ := e.Data.(string)
				if strings.HasPrefix(text, "AwsSolutions-") && e.Type != "aws:cdk:logicalId" {
					findings = append(findings, fmt.Sprintf("    %s %s: %s", strings.TrimPrefix(e.Type, "aws:cdk:"), path, firstLine(text)))
				}
			}
		}
		slices.Sort(findings)
		totalFindings += len(findings)
		fmt.Fprintf(w, "  cdk-nag findings: %d%s\n", len(findings), suppressions(dir, name))
		if len(findings) > 0 {
			fmt.Fprintln(w, strings.Join(findings, "\n"))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d stacks, %d cdk-nag findings\n", len(names), totalFindings)
	return nil
}

// assetSize is the size of a staged Lambda asset directory, or a note when
// bundling was skipped and nothing was staged.
func assetSize(dir, path string) string {
	if path == "" {
		return "(no asset)"
	}
	var total int64
	err := filepath.WalkDir(filepath.Join(dir, path), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			total += info.Size()
		}
		return err
	})
	if err != nil {
		return "(not staged: bundling skipped)"
	}
	return fmt.Sprintf("%.1f MiB", float64(total)/(1<<20))
}

// suppressions summarizes the suppressed rules in cdk-nag's report for the
// stack, e.g. " (suppressed with reasons: AwsSolutions-IAM5 x5)".
func suppressions(dir, stack string) string {
	f, err := os.Open(filepath.Join(dir, "AwsSolutions--"+stack+"-NagReport.csv"))
	if err != nil {
		return ""
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return ""
	}
	counts := map[string]int{}
	for _, row := range rows {
		if len(row) > 2 && row[2] == "Suppressed" {
			counts[row[0]]++
		}
	}
	if len(counts) == 0 {
		return ""
	}
	var parts []string
	for rule, n := range counts {
		parts = append(parts, fmt.Sprintf("%s x%d", rule, n))
	}
	slices.Sort(parts)
	return " (suppressed with reasons: " + strings.Join(parts, ", ") + ")"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
