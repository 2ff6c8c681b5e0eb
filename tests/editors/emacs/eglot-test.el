;;; eglot-test.el --- Emacs + eglot as a gto-lsp client, in batch mode  -*- lexical-binding: t -*-
;; Usage: emacs --batch -Q -l eglot-test.el FILE   (GTO_LSP_COMMAND: the server command, space separated)
;; Prints "DIAGNOSTIC <line> <code> <message>" for each flymake diagnostic and "COMPLETION <label>" for the
;; completions at the end of the file; exits 1 when no diagnostic arrives in time.

;; Debian's elpa-eglot (and the newer jsonrpc/flymake/project it needs) lives in site-lisp/elpa, which -Q skips.
(let ((default-directory "/usr/share/emacs/site-lisp/elpa/"))
  (when (file-directory-p default-directory)
    (normal-top-level-add-subdirs-to-load-path)))
(require 'eglot)
(require 'flymake)

(define-derived-mode gto-artifacts-mode prog-mode "GTO"
  "artifacts.yaml (Emacs 28 has no YAML mode of its own).")
(add-to-list 'auto-mode-alist '("artifacts\\.yaml\\'" . gto-artifacts-mode))
(add-to-list 'eglot-server-programs
             `(gto-artifacts-mode . ,(split-string (getenv "GTO_LSP_COMMAND"))))

(let* ((file (car command-line-args-left))
       (deadline (+ (float-time) 30))
       (found nil))
  (find-file file)
  (apply #'eglot (eglot--guess-contact))
  (while (and (not found) (< (float-time) deadline))
    (accept-process-output nil 0.2)
    (flymake-start)
    (setq found (flymake-diagnostics)))
  (unless found
    (princ "NO DIAGNOSTICS\n")
    (kill-emacs 1))
  (dolist (d found)
    (princ (format "DIAGNOSTIC %d %s\n"
                   (line-number-at-pos (flymake-diagnostic-beg d))
                   (flymake-diagnostic-text d))))
  (goto-char (point-max))
  (insert "nn:\n  ")
  (eglot--signal-textDocument/didChange)
  (let* ((server (eglot-current-server))
         (result (jsonrpc-request server :textDocument/completion
                                  (eglot--TextDocumentPositionParams)))
         (items (if (vectorp result) result (plist-get result :items))))
    (mapc (lambda (item) (princ (format "COMPLETION %s\n" (plist-get item :label)))) items))
  (kill-emacs 0))
