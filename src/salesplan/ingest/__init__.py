"""Reading CRM exports onto the canonical model: files → strings → typed canonical frames.

The stages, each a module:

* `readers`: bytes → a table of strings (encoding and delimiter detection, CSV and XLSX, the
  header row found among title rows, report footers and totals dropped);
* `presets` (+ `presets_crm`): what each CRM's export calls every canonical field, and its
  default stage list; `mapping`: the YAML mapping file that overrides or replaces a preset;
* `values`: one string → a date, an instant, an exact amount, a boolean;
* `conversion`: a whole table → a canonical frame, with a `validate.Problem` for every value
  that cannot be read; `history`: stage events from history columns, history exports and
  the difference between two imports of the same deals.

Nothing here touches the store: `services.imports` joins these pieces to `storage`.
"""
