"""GTO's registry in git tags: the grammar (tags), the state `gto show` computes (state), what register /
assign / deprecate would create or delete (plan, pure) and carrying that out (write). Import the modules."""
