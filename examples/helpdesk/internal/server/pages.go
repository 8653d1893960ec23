package server

import (
	"io/fs"
	"net/http"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/web"
)

// pageFiles maps each page's path to its file in web.Files.
var pageFiles = map[string]string{
	"/":          "index.html",
	"/login":     "login.html",
	"/chat":      "chat.html",
	"/console":   "console.html",
	"/dashboard": "dashboard.html",
}

// pages registers the pages and their assets: HTML shells whose scripts
// fetch what they show from the API, and follow its event streams.
func (s *Server) pages() {
	static, err := fs.Sub(web.Files, "static")
	if err != nil {
		panic(err) // the embedded tree always has it
	}
	for path, file := range pageFiles {
		pattern := "GET " + path
		if path == "/" {
			pattern = "GET /{$}"
		}
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, static, file)
		})
	}
	s.mux.HandleFunc("GET /static/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if st, err := fs.Stat(static, name); err != nil || st.IsDir() {
			refuse(w, http.StatusNotFound, "not-found", "no such file")
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, static, name)
	})
}
