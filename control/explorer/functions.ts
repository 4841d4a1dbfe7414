// Which calls in explorer SQL are known to be read-only. A function may write (a PL/pgSQL or MySQL
// stored function can INSERT, a volatile one can call anything), and the control plane cannot see a
// function's body, so the classifier counts a call as a read only when it names a built-in known to
// have no side effects (or a keyword or type that takes parentheses). Anything else — a user's own
// function, an extension's — is classified a write: "not a known read-only function". The agent's
// read-only transaction and read-only role stop such a write too; this gate stops it first.

/** Keywords of PostgreSQL, MySQL/MariaDB and SQLite that are followed by "(" without being calls. */
const KEYWORDS = `in exists any some all array row values as over filter within and or not on using where select
from join lateral union except intersect case when then else between like ilike rlike regexp is by partition order
group having limit offset fetch distinct table with recursive materialized interval extract position substring overlay
trim cast convert grouping cube rollup sets rows range groups explain match against key index force ignore use
collate escape similar to for only asc desc nulls first last current window returning default null true false
unique primary references check constraint foreign character`;

/** Type names that take parameters, e.g. varchar(10) in a cast. */
const TYPES = `varchar char nchar nvarchar varchar2 numeric decimal dec float double real int integer bigint smallint
tinyint mediumint bit varbit binary varbinary time timestamp timestamptz timetz datetime year text blob enum bool
boolean json jsonb uuid signed unsigned bytea date inet cidr macaddr money xml tsvector tsquery point`;

/** Built-in functions with no side effects, across the engines the explorer serves. */
const READ_ONLY = `count sum avg min max string_agg array_agg json_agg jsonb_agg json_object_agg jsonb_object_agg
bool_and bool_or every stddev stddev_pop stddev_samp variance var_pop var_samp group_concat percentile_cont
percentile_disc mode bit_and bit_or bit_xor corr covar_pop covar_samp regr_slope regr_intercept total
row_number rank dense_rank ntile lag lead first_value last_value nth_value cume_dist percent_rank
lower upper length char_length character_length octet_length bit_length substr trim ltrim rtrim btrim replace
concat concat_ws left right lpad rpad strpos instr locate split_part reverse repeat initcap format regexp_replace
regexp_matches regexp_match regexp_like regexp_substr regexp_instr regexp_count regexp_split_to_array
regexp_split_to_table translate md5 sha1 sha2 sha224 sha256 sha384 sha512 encode decode to_hex hex unhex ascii chr
quote_ident quote_literal quote_nullable quote starts_with string_to_array array_to_string soundex difference glob
printf unicode field find_in_set elt mid space ucase lcase strcmp to_base64 from_base64 char_length normalize
abs ceil ceiling floor round trunc truncate mod power pow sqrt cbrt exp ln log log10 log2 sign pi degrees radians
sin cos tan asin acos atan atan2 cot greatest least random rand width_bucket div gcd lcm factorial scale
coalesce nullif ifnull nvl isnull if iif likelihood unlikely
now current_date current_time current_timestamp localtime localtimestamp date_trunc date_part age to_char to_date
to_timestamp to_number make_date make_time make_timestamp make_timestamptz make_interval date datetime julianday
strftime unixepoch date_format str_to_date date_add date_sub adddate subdate datediff timediff timestampdiff
timestampadd month day dayofmonth dayofweek dayofyear hour minute second microsecond week weekday weekofyear
quarter last_day from_unixtime unix_timestamp utc_timestamp utc_date utc_time curdate curtime sysdate
clock_timestamp statement_timestamp transaction_timestamp timeofday isfinite justify_days justify_hours
justify_interval monthname dayname yearweek makedate maketime sec_to_time time_to_sec to_days from_days convert_tz
period_add period_diff date_bin
json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb json_extract
json_extract_path jsonb_extract_path json_extract_path_text jsonb_extract_path_text json_array_length
jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text json_object_keys jsonb_object_keys
json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text json_typeof
jsonb_typeof jsonb_pretty jsonb_set jsonb_insert jsonb_strip_nulls json_strip_nulls jsonb_path_query
jsonb_path_query_array jsonb_path_query_first jsonb_path_exists jsonb_path_match json_object json_array
json_unquote json_keys json_contains json_contains_path json_length json_valid json_type json_value json_query
json_search json_merge_patch json_merge_preserve json_set json_insert json_replace json_remove json_quote
json_arrayagg json_objectagg json_group_array json_group_object json_patch json_tree row_to_json array_to_json
json_populate_record jsonb_populate_record json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset
array_length array_upper array_lower cardinality unnest array_position array_positions array_cat array_append
array_prepend array_remove array_replace generate_series generate_subscripts array_dims array_ndims
pg_typeof typeof format_type version current_user session_user user current_schema current_schemas
current_database database schema current_role connection_id gen_random_uuid uuid uuid_generate_v4 crc32
pg_size_pretty pg_total_relation_size pg_relation_size pg_table_size pg_indexes_size pg_database_size
pg_get_viewdef pg_get_indexdef pg_get_constraintdef pg_get_functiondef pg_get_expr pg_get_userbyid
obj_description col_description shobj_description has_table_privilege has_column_privilege
has_schema_privilege has_database_privilege current_setting pg_backend_pid inet_client_addr
pg_postmaster_start_time pg_is_in_recovery pg_last_xact_replay_timestamp pg_column_size
to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline
setweight numnode querytree host hostmask netmask network masklen family broadcast abbrev
found_rows row_count last_insert_id changes total_changes sqlite_version quote zeroblob randomblob
instr octet_length bin oct conv format_bytes format_pico_time inet_aton inet_ntoa inet6_aton inet6_ntoa
is_ipv4 is_ipv6 weight_string
substring_index any_value ord bit_count charset collation coercibility get_format to_seconds export_set make_set
compress uncompress aes_encrypt aes_decrypt random_bytes sleep is_free_lock is_used_lock json_pretty json_overlaps
json_storage_size json_depth std stddev_pop
pg_sleep pg_sleep_for pg_sleep_until string_to_table to_regclass to_regtype to_regproc pg_get_serial_sequence
currval lastval inet_server_addr pg_current_wal_lsn pg_wal_lsn_diff pg_table_is_visible convert_from convert_to
get_bit get_byte set_bit set_byte pg_encoding_to_char pg_client_encoding sqlite_source_id likely`;

const words = (s: string) => new Set(s.split(/\s+/).filter(Boolean));
const NOT_CALLS = new Set([...words(KEYWORDS), ...words(TYPES)]);
const KNOWN = words(READ_ONLY);

/** Names the SQL itself defines with a column list: CTEs `name(a, b) AS (` and aliases `AS name(a)`. */
export function definedNames(sql: string): Set<string> {
  const out = new Set<string>();
  const cte = /(?:\bWITH\s+(?:RECURSIVE\s+)?|,\s*)([A-Za-z_][\w$]*)\s*\([^()]*\)\s*AS\b/gi;
  const alias = /\bAS\s+([A-Za-z_][\w$]*)\s*\(/gi;
  for (const m of sql.matchAll(cte)) if (m[1]) out.add(m[1].toLowerCase());
  for (const m of sql.matchAll(alias)) if (m[1]) out.add(m[1].toLowerCase());
  return out;
}

/**
 * Why a call is not known to be read-only, or null when it is: a built-in without side effects, a
 * keyword or type followed by "(", a name the statement defines, or one of SQLite's pragma_* table
 * functions (they read settings; a pragma cannot be assigned through them).
 */
export function unknownCall(name: string, defined: ReadonlySet<string>): string | null {
  const n = name.toLowerCase();
  if (NOT_CALLS.has(n) || KNOWN.has(n) || defined.has(n) || n.startsWith("pragma_")) return null;
  return `${n}(): not a known read-only function (a function may write; only built-ins without side effects run here)`;
}
