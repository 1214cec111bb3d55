// chart-render renders a Helm chart's templates the way `helm template` does, for CI machines
// where Helm cannot be installed: the same engine (Go text/template with the sprig functions
// and Helm's own include, tpl, required, fail, toYaml, fromYaml, toJson), the same objects
// (.Values, .Release, .Chart, .Files, .Capabilities, .Template) and the same value coalescing
// (chart values.yaml, then each -f file, a null removing a key).
//
// It is not Helm: no hooks, no subcharts, no lookup (always empty), no schema validation, no
// crds/ folder. Herald's chart uses none of these; a template that calls something missing
// fails to parse here, so the gap cannot pass silently.
//
// Usage: chart-render [-f values.yaml]... [-namespace NS] [-name RELEASE] CHART_DIR
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

// files mirrors Helm's .Files: every chart file outside templates/, by slash path.
type files map[string][]byte

func (f files) Get(name string) string { return string(f[name]) }

func (f files) Glob(pattern string) files {
	matched := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			matched[name] = data
		}
	}
	return matched
}

func main() {
	var overrides valueFiles
	flag.Var(&overrides, "f", "values file (repeatable; later files win)")
	namespace := flag.String("namespace", "default", "release namespace")
	release := flag.String("name", "herald", "release name")
	notes := flag.Bool("notes", false, "print NOTES.txt too")
	flag.Parse()
	if flag.NArg() != 1 {
		fail("usage: chart-render [-f values.yaml]... [-namespace NS] [-name RELEASE] CHART_DIR")
	}
	chartDir := flag.Arg(0)

	chart := map[string]interface{}{}
	readYAML(filepath.Join(chartDir, "Chart.yaml"), &chart)
	values := map[string]interface{}{}
	readYAML(filepath.Join(chartDir, "values.yaml"), &values)
	for _, name := range overrides {
		override := map[string]interface{}{}
		readYAML(name, &override)
		values = coalesce(values, override)
	}

	templates, other := loadChart(chartDir)
	root := template.New("chart")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 100 {
			return "", fmt.Errorf("include %q: nested too deeply", name)
		}
		var out bytes.Buffer
		err := root.ExecuteTemplate(&out, name, data)
		return out.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		err = t.Execute(&out, data)
		return out.String(), err
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil || value == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["fail"] = func(message string) (string, error) { return "", fmt.Errorf("%s", message) }
	funcs["toYaml"] = func(value interface{}) string {
		var out bytes.Buffer
		encoder := yaml.NewEncoder(&out)
		encoder.SetIndent(2)
		if err := encoder.Encode(value); err != nil {
			return ""
		}
		return strings.TrimSuffix(out.String(), "\n")
	}
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		parsed := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &parsed); err != nil {
			parsed["Error"] = err.Error()
		}
		return parsed
	}
	funcs["lookup"] = func(...string) map[string]interface{} { return map[string]interface{}{} }
	root.Funcs(funcs).Option("missingkey=zero")

	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(name).Parse(string(templates[name])); err != nil {
			fail(err.Error())
		}
	}

	chartName, _ := chart["name"].(string)
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": *release, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": chartName, "Version": chart["version"], "AppVersion": chart["appVersion"],
			"Description": chart["description"], "Type": chart["type"],
		},
		"Files":        other,
		"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.32.0", "Major": "1", "Minor": "32"}},
	}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || (base == "NOTES.txt" && !*notes) {
			continue
		}
		top["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, name, top); err != nil {
			fail(err.Error())
		}
		text := strings.ReplaceAll(out.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s\n%s\n", name, strings.TrimSpace(text))
	}
}

// loadChart splits the chart's files into templates (by "NAME/templates/…") and .Files.
func loadChart(chartDir string) (map[string][]byte, files) {
	templates := map[string][]byte{}
	other := files{}
	chartName := filepath.Base(filepath.Clean(chartDir))
	err := filepath.Walk(chartDir, func(file string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		relative, _ := filepath.Rel(chartDir, file)
		relative = filepath.ToSlash(relative)
		data, err := os.ReadFile(file) // follows symlinks, as Helm's loader does
		if err != nil {
			return err
		}
		if strings.HasPrefix(relative, "templates/") {
			templates[chartName+"/"+relative] = data
		} else {
			other[relative] = data
		}
		return nil
	})
	if err != nil {
		fail(err.Error())
	}
	return templates, other
}

// coalesce merges override into base the way Helm merges values: maps merge key by key, any
// other value replaces, and a null removes the key.
func coalesce(base, override map[string]interface{}) map[string]interface{} {
	for key, value := range override {
		if value == nil {
			delete(base, key)
			continue
		}
		overrideMap, isMap := value.(map[string]interface{})
		baseMap, baseIsMap := base[key].(map[string]interface{})
		if isMap && baseIsMap {
			base[key] = coalesce(baseMap, overrideMap)
		} else {
			base[key] = value
		}
	}
	return base
}

func readYAML(file string, into *map[string]interface{}) {
	data, err := os.ReadFile(file)
	if err != nil {
		fail(err.Error())
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		fail(fmt.Sprintf("%s: %v", file, err))
	}
	if *into == nil {
		*into = map[string]interface{}{}
	}
	for key, value := range *into {
		(*into)[key] = jsonNumbers(value)
	}
}

// jsonNumbers turns integers into float64, as Helm's YAML → JSON value loading does (so
// 1000000 prints as 1e+06 unless a template converts it with int64, here as there).
func jsonNumbers(value interface{}) interface{} {
	switch v := value.(type) {
	case int:
		return float64(v)
	case map[string]interface{}:
		for key, item := range v {
			v[key] = jsonNumbers(item)
		}
	case []interface{}:
		for i, item := range v {
			v[i] = jsonNumbers(item)
		}
	}
	return value
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "chart-render:", message)
	os.Exit(1)
}
