// Package output is the one output layer of itcare: the streams commands
// write to (IOStreams), the -o/--output, --jq and --no-header options
// (ParseFormat, Options) and the Printer that renders results.
//
// Data goes to stdout, everything else (spinner, warnings, errors, "no
// instances found") to stderr. People read tables, scripts read JSON:
//
//   - table (default), wide, columns=ID,NAME: aligned columns separated by
//     two spaces. On a terminal: headers never cut, the widest columns cut
//     with "…" to fit the width, "-" for a missing value, dates local as
//     "2006-01-02 15:04", colour when enabled. Piped: nothing cut, missing
//     values empty, dates RFC 3339 in UTC, no colour. --no-header drops the
//     header line.
//   - json, yaml: the API's own objects with every field, keys sorted.
//   - --jq EXPR: gojq once on the whole value; strings raw, other results
//     JSON (indented on a terminal, compact per line when piped), or YAML
//     with -o yaml.
//   - template=GO-TEMPLATE: text/template once on the whole value, with
//     json, join, upper, lower and date helpers.
//   - csv: every column (wide ones too) as RFC 4180 CSV with a header line,
//     cells as when piped (dates RFC 3339 UTC, nothing cut).
//
// Mistakes in these options are *UsageError (exit code 2); ParseFormat,
// ValidateColumns and ValidateJQ let a command refuse them before sending
// any request.
package output
