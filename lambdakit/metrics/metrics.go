// Package metrics writes CloudWatch metrics in the embedded metric format
// (EMF): one JSON line on standard output per request, which CloudWatch Logs
// turns into metrics without an API call. Keep dimensions low-cardinality
// (service, operation), never ids.
//
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package metrics

import (
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sync"
	"time"
)

// Recorder writes EMF documents.
type Recorder struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	dims      map[string]string
	now       func() time.Time
}

// New returns a recorder for a namespace whose documents all carry dims.
func New(w io.Writer, namespace string, dims map[string]string) *Recorder {
	return &Recorder{w: w, namespace: namespace, dims: dims, now: time.Now}
}

// Metric is one value; Unit is a CloudWatch unit such as "Count".
type Metric struct {
	Name  string
	Unit  string
	Value float64
}

type definition struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// Emit writes one document with the recorder's dimensions, extra
// dimensions, and the metrics. Nothing is written without metrics.
func (r *Recorder) Emit(extra map[string]string, ms ...Metric) error {
	if len(ms) == 0 {
		return nil
	}
	doc := map[string]any{}
	dims := maps.Clone(r.dims)
	maps.Copy(dims, extra)
	names := slices.Sorted(maps.Keys(dims))
	for _, k := range names {
		doc[k] = dims[k]
	}
	defs := make([]definition, len(ms))
	for i, m := range ms {
		defs[i] = definition{Name: m.Name, Unit: m.Unit}
		doc[m.Name] = m.Value
	}
	doc["_aws"] = metadata{
		Timestamp:         r.now().UnixMilli(),
		CloudWatchMetrics: []directive{{Namespace: r.namespace, Dimensions: [][]string{names}, Metrics: defs}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err = r.w.Write(append(b, '\n'))
	return err
}
