# The PostgreSQL store: target redress_pg (alias redress::pg). Not built yet.
