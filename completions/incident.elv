
use builtin;
use str;

set edit:completion:arg-completer[incident] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'incident'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'incident'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand declare 'Open an incident and print its key'
            cand assess 'Triage: impact questions, the CIA checklist, and the severity'
            cand assign-role 'Delegate a role (commander, scribe, …) or hand it over'
            cand escalate 'Page more people, and raise the severity if needed'
            cand update 'Add to the timeline: a note, decision, action, evidence or status update'
            cand resolve 'Mark an incident resolved: service restored for everyone'
            cand retro 'The retrospective: five whys, root cause, action items; --complete closes, --export md renders'
            cand action 'Follow-up action items: add, list, done, link'
            cand list 'List incidents: open ones by default, most severe first'
            cand ls 'List incidents: open ones by default, most severe first'
            cand show 'Show an incident, its roles and its timeline'
            cand topic 'Print a one-line status for a chat channel topic'
            cand exec 'Run a remediation command and record it in the timeline as an action'
            cand comms 'Print the latest customer-facing update, or a draft of the next one'
            cand check 'Report missed and soon-due response targets (exit 3 when any is missed)'
            cand stats 'Response metrics: counts, time to acknowledge and resolve, targets met'
            cand guard 'Fail while a matching incident is open: a deploy freeze for CI'
            cand verify 'Check that no timeline was edited, deleted or reordered behind the tool''s back'
            cand export 'Write every incident with its whole history as JSON: a backup, or a move'
            cand import 'Restore incidents from an export; importing the same file twice changes nothing'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'incident;declare'= {
            cand -s 'Severity level [default: the least severe configured level]'
            cand --severity 'Severity level [default: the least severe configured level]'
            cand -c 'What kind of incident'
            cand --category 'What kind of incident'
            cand --service 'An affected service (repeat or separate with commas)'
            cand --commander 'Who leads the response (the incident commander)'
            cand --summary 'What is known so far'
            cand --detected-by 'Who or what noticed first'
            cand --started-at 'When the impact began, if earlier than now'
            cand --channel 'A chat channel, bridge or document link (repeatable)'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --assess 'Go straight into the triage walk (incident assess) after declaring; needs a terminal'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;assess'= {
            cand --impact 'What is the impact on customers (internal or external)?'
            cand --sees 'What do customers see?'
            cand --customers 'How many customers are affected'
            cand --started-at 'When the impact started [default: the incident''s start, or now]'
            cand --tickets 'How many support tickets customers have raised [default: 0]'
            cand --factor 'Another factor: public attention, security, data loss (repeat or use commas)'
            cand --check 'A checked CIA checklist item: C1–C4, I1–I5, A1–A6 (repeat or use commas)'
            cand --severity 'Choose this severity instead of the suggestion'
            cand --answers 'Read the answers from a TOML file (see examples/assess-answers.toml)'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand -y 'Accept the suggested severity without asking'
            cand --yes 'Accept the suggested severity without asking'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;assign-role'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --remove 'Take the role away from PERSON instead'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;escalate'= {
            cand --to 'Whom to page: a person, rota or team (repeat or separate with commas) [default: the escalation policy for the severity in the configuration]'
            cand -s 'Raise the severity to this level'
            cand --severity 'Raise the severity to this level'
            cand -r 'Why: what the people paged need to know'
            cand --reason 'Why: what the people paged need to know'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;update'= {
            cand -k 'What kind of entry'
            cand --kind 'What kind of entry'
            cand -s 'Move the incident to this status'
            cand --status 'Move the incident to this status'
            cand --severity 'Change the severity to this level'
            cand -n 'When the next status update is due: a duration (30m) or a time (14:30)'
            cand --next-update 'When the next status update is due: a duration (30m) or a time (14:30)'
            cand --at 'When it happened, if not now (for the scribe catching up)'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand -e 'This is a customer-facing status update'
            cand --external 'This is a customer-facing status update'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;resolve'= {
            cand -s 'How it was resolved'
            cand --summary 'How it was resolved'
            cand --at 'When service was restored, if not now'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;retro'= {
            cand --answers 'Record the answers from a TOML file instead of asking (''-'' reads stdin; see examples/retro-answers.toml)'
            cand --no-actions 'Complete without action items, saying why'
            cand --draft-out 'Write the draft of an interrupted retrospective (or else the recorded one) to FILE as an answers file, to edit and give back to --answers'
            cand --export 'Render the postmortem document instead: md (Markdown) or json'
            cand -o 'Write the export to FILE (created owner-only) instead of stdout'
            cand --output 'Write the export to FILE (created owner-only) instead of stdout'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --complete 'Complete the retrospective and close the incident (needs a root cause and an action item)'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;action'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a follow-up action item to an incident; prints its id (A-3)'
            cand list 'List action items across all incidents, soonest due first'
            cand ls 'List action items across all incidents, soonest due first'
            cand done 'Mark an action item done'
            cand link 'Link an action item to its ticket in the team''s tracker'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'incident;action;add'= {
            cand -o 'Who follows it up'
            cand --owner 'Who follows it up'
            cand -d 'When it is due: YYYY-MM-DD, or a span from today (14d, 2w)'
            cand --due 'When it is due: YYYY-MM-DD, or a span from today (14d, 2w)'
            cand -k 'detective (notice sooner), preventive (keep it from happening) or corrective (fix, recover faster)'
            cand --kind 'detective (notice sooner), preventive (keep it from happening) or corrective (fix, recover faster)'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;action;list'= {
            cand --owner 'Only items this person owns'
            cand -i 'Only the items of this incident'
            cand --incident 'Only the items of this incident'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --open 'Only items not done yet'
            cand --overdue 'Only open items whose due date has passed'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;action;ls'= {
            cand --owner 'Only items this person owns'
            cand -i 'Only the items of this incident'
            cand --incident 'Only the items of this incident'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --open 'Only items not done yet'
            cand --overdue 'Only open items whose due date has passed'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;action;done'= {
            cand -n 'What was done, for the record'
            cand --note 'What was done, for the record'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;action;link'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;action;help'= {
            cand add 'Add a follow-up action item to an incident; prints its id (A-3)'
            cand list 'List action items across all incidents, soonest due first'
            cand done 'Mark an action item done'
            cand link 'Link an action item to its ticket in the team''s tracker'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'incident;action;help;add'= {
        }
        &'incident;action;help;list'= {
        }
        &'incident;action;help;done'= {
        }
        &'incident;action;help;link'= {
        }
        &'incident;action;help;help'= {
        }
        &'incident;list'= {
            cand -s 'Only incidents in this status (repeat or separate with commas)'
            cand --status 'Only incidents in this status (repeat or separate with commas)'
            cand --severity 'Only incidents of these severities (repeat or separate with commas)'
            cand --since 'Only incidents declared since: a time, or a duration back from now (7d)'
            cand -n 'Show at most N incidents (0: all) [default: 50, or all with --json]'
            cand --limit 'Show at most N incidents (0: all) [default: 50, or all with --json]'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand -a 'Include resolved and closed incidents'
            cand --all 'Include resolved and closed incidents'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;ls'= {
            cand -s 'Only incidents in this status (repeat or separate with commas)'
            cand --status 'Only incidents in this status (repeat or separate with commas)'
            cand --severity 'Only incidents of these severities (repeat or separate with commas)'
            cand --since 'Only incidents declared since: a time, or a duration back from now (7d)'
            cand -n 'Show at most N incidents (0: all) [default: 50, or all with --json]'
            cand --limit 'Show at most N incidents (0: all) [default: 50, or all with --json]'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand -a 'Include resolved and closed incidents'
            cand --all 'Include resolved and closed incidents'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;show'= {
            cand -n 'Show only the latest N timeline entries (0: all) [default: 50, or all with --json]'
            cand --limit 'Show only the latest N timeline entries (0: all) [default: 50, or all with --json]'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;topic'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;exec'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;comms'= {
            cand -n 'With --draft: when the update after it will come (30m, 14:30) [default: the severity''s update cadence from now]'
            cand --next-update 'With --draft: when the update after it will come (30m, 14:30) [default: the severity''s update cadence from now]'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand -d 'Print a template for the next update instead'
            cand --draft 'Print a template for the next update instead'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;check'= {
            cand -w 'Also report targets due within this long [default: `[check] within` in the configuration, 15m]'
            cand --within 'Also report targets due within this long [default: `[check] within` in the configuration, 15m]'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;stats'= {
            cand --since 'Incidents declared since: a duration back from now (90d) or a time'
            cand -s 'Only incidents of these severities (repeat or separate with commas)'
            cand --severity 'Only incidents of these severities (repeat or separate with commas)'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;guard'= {
            cand -s 'Only incidents at least this severe (e.g. SEV2 matches SEV1 and SEV2) [default: any]'
            cand --min-severity 'Only incidents at least this severe (e.g. SEV2 matches SEV1 and SEV2) [default: any]'
            cand --service 'Only incidents affecting this service (repeat or separate with commas: any of them)'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;verify'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;export'= {
            cand -o 'Write to FILE (created owner-only) instead of stdout'
            cand --output 'Write to FILE (created owner-only) instead of stdout'
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;import'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;completions'= {
            cand --db 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]'
            cand --config 'Configuration file [default: ~/.config/incident/config.toml]'
            cand --as 'Who is acting, recorded on every event [default: $USER]'
            cand --json 'Print machine-readable JSON on stdout'
            cand -q 'Say nothing on stderr unless something is wrong'
            cand --quiet 'Say nothing on stderr unless something is wrong'
            cand --no-hooks 'Run no hooks for this command (backfills, imports, drills)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'incident;help'= {
            cand declare 'Open an incident and print its key'
            cand assess 'Triage: impact questions, the CIA checklist, and the severity'
            cand assign-role 'Delegate a role (commander, scribe, …) or hand it over'
            cand escalate 'Page more people, and raise the severity if needed'
            cand update 'Add to the timeline: a note, decision, action, evidence or status update'
            cand resolve 'Mark an incident resolved: service restored for everyone'
            cand retro 'The retrospective: five whys, root cause, action items; --complete closes, --export md renders'
            cand action 'Follow-up action items: add, list, done, link'
            cand list 'List incidents: open ones by default, most severe first'
            cand show 'Show an incident, its roles and its timeline'
            cand topic 'Print a one-line status for a chat channel topic'
            cand exec 'Run a remediation command and record it in the timeline as an action'
            cand comms 'Print the latest customer-facing update, or a draft of the next one'
            cand check 'Report missed and soon-due response targets (exit 3 when any is missed)'
            cand stats 'Response metrics: counts, time to acknowledge and resolve, targets met'
            cand guard 'Fail while a matching incident is open: a deploy freeze for CI'
            cand verify 'Check that no timeline was edited, deleted or reordered behind the tool''s back'
            cand export 'Write every incident with its whole history as JSON: a backup, or a move'
            cand import 'Restore incidents from an export; importing the same file twice changes nothing'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'incident;help;declare'= {
        }
        &'incident;help;assess'= {
        }
        &'incident;help;assign-role'= {
        }
        &'incident;help;escalate'= {
        }
        &'incident;help;update'= {
        }
        &'incident;help;resolve'= {
        }
        &'incident;help;retro'= {
        }
        &'incident;help;action'= {
            cand add 'Add a follow-up action item to an incident; prints its id (A-3)'
            cand list 'List action items across all incidents, soonest due first'
            cand done 'Mark an action item done'
            cand link 'Link an action item to its ticket in the team''s tracker'
        }
        &'incident;help;action;add'= {
        }
        &'incident;help;action;list'= {
        }
        &'incident;help;action;done'= {
        }
        &'incident;help;action;link'= {
        }
        &'incident;help;list'= {
        }
        &'incident;help;show'= {
        }
        &'incident;help;topic'= {
        }
        &'incident;help;exec'= {
        }
        &'incident;help;comms'= {
        }
        &'incident;help;check'= {
        }
        &'incident;help;stats'= {
        }
        &'incident;help;guard'= {
        }
        &'incident;help;verify'= {
        }
        &'incident;help;export'= {
        }
        &'incident;help;import'= {
        }
        &'incident;help;completions'= {
        }
        &'incident;help;help'= {
        }
    ]
    $completions[$command]
}
