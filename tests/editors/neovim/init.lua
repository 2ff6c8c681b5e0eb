-- Headless Neovim (0.7+) as an LSP client of gto-lsp: open the file given on the command line, wait for the
-- server's diagnostics, ask for a completion, write what was seen as JSON to $GTO_NVIM_OUT, and quit.
-- Environment: GTO_NVIM_PYTHON (the interpreter with gto_lsp installed), GTO_NVIM_ROOT (the repository),
-- GTO_NVIM_OUT (the JSON result), GTO_NVIM_LINE / GTO_NVIM_COL (0-based completion position).
vim.o.swapfile = false
vim.o.shada = ""
if os.getenv("GTO_NVIM_LOG") then
  vim.lsp.set_log_level("debug")
end

local python = os.getenv("GTO_NVIM_PYTHON") or "python3"
local root = os.getenv("GTO_NVIM_ROOT") or vim.fn.getcwd()
local out_path = os.getenv("GTO_NVIM_OUT") or "nvim-result.json"
local line = tonumber(os.getenv("GTO_NVIM_LINE") or "0")
local col = tonumber(os.getenv("GTO_NVIM_COL") or "0")

local result = { diagnostics = {}, completion = {}, errors = {} }

local function finish(code)
  local handle = io.open(out_path, "w")
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd(code == 0 and "qall!" or "cquit " .. code)
end

-- init.lua runs before the file on the command line is loaded: do the work once Neovim has started.
local function run()
  local client_id = vim.lsp.start_client({
    name = "gto-lsp",
    cmd = { python, "-m", "gto_lsp" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "repo" } },
    init_options = { trusted = true },
    on_exit = function(code)
      if code ~= 0 then
        table.insert(result.errors, "server exited with " .. tostring(code))
      end
    end,
  })
  if not client_id then
    table.insert(result.errors, "could not start the server")
    finish(2)
    return
  end

  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)

  local got = vim.wait(15000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50)
  if not got then
    table.insert(result.errors, "no diagnostics within 15 s")
    finish(1)
    return
  end
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, code = d.code, message = d.message, source = d.source })
  end

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = col },
    context = { triggerKind = 1 },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, 10000)
  for _, response in pairs(responses or {}) do
    if response.err then
      table.insert(result.errors, vim.inspect(response.err))
    end
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do
      local edit = item.textEdit or {}
      table.insert(result.completion, { label = item.label, newText = edit.newText, range = edit.range })
    end
  end

  print(vim.fn.json_encode(result))
  vim.lsp.stop_client(client_id)
  vim.wait(2000, function()
    return vim.lsp.get_client_by_id(client_id) == nil
  end, 50)
  finish(0)
end

vim.api.nvim_create_autocmd("VimEnter", { once = true, callback = run })
