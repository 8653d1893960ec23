// Package web holds the help desk's pages, styles and scripts, embedded in
// the binary (go:embed) so that the server works offline with no build step.
package web

import "embed"

// Files holds the pages and their assets under "static/": index.html,
// login.html, chat.html, console.html and dashboard.html, the one style
// sheet app.css and the scripts (common.js, shared by every page, and one
// script per page). The pages link their assets as /static/<file>, and
// carry no inline script or style, so that a strict Content-Security-Policy
// applies.
//
//go:embed static
var Files embed.FS
