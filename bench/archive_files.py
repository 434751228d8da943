"""The synthetic archive bench/import_archive.py imports: page dumps with reader comments
and a pingback, and Markdown files with YAML front matter (articles and quick quotes).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CITIES = ["BAKU", "YEREVAN", "GLENDALE", "LOS ANGELES", "STEPANAKERT", "TBILISI", "BEIRUT"]
SUBJECTS = ["Council", "Parliament", "Minister", "Diaspora Groups", "Students", "Mayor",
            "Court", "Veterans", "Farmers", "Teachers", "Doctors", "Church Leaders"]  # fmt: skip
VERBS = ["Debates", "Rejects", "Approves", "Questions", "Celebrates", "Protests", "Reviews",
         "Delays", "Funds", "Welcomes"]  # fmt: skip
OBJECTS = ["Water Tariffs", "New School Budget", "Border Talks", "Pension Reform",
           "Cease-Fire Terms", "Road Repairs", "Heritage Law", "Election Rules",
           "Hospital Plans", "Trade Agreement", "Media Bill", "Census Results"]  # fmt: skip
FIRST = ["Ani", "Armen", "Sona", "Raffi", "Lilit", "George", "Maria", "Hagop", "Nora",
         "Vahe", "Talin", "John", "Sarah", "Levon", "Arpi", "David", "Shant", "Mher"]  # fmt: skip
LAST = ["Petrosyan", "Mardig", "Ahmaranian", "Hovsepian", "Sarkissian", "Der Bedrossian",
        "Kazarian", "Tashjian", "Smith", "Khachatryan", "Boyajian", "Garabedian"]  # fmt: skip
SECTIONS = ["politics", "world", "community", "culture", "sports", "opinion"]
TAGS = ["Armenia", "Azerbaijan", "Karabakh", "Diaspora", "Economy", "Elections", "Education",
        "Health", "Culture", "Sports", "Turkey", "Russia", "United States", "Europe", "Energy",
        "Human Rights", "Media", "Religion", "Youth", "Environment", "Trade", "Security",
        "Courts", "Budget", "Heritage", "Music", "Film", "Literature", "Tech",
        "Agriculture"]  # fmt: skip
PROSE = (
    "the government said on tuesday that talks would continue next week while officials in "
    "the capital argued over the budget and residents waited for answers about the road the "
    "school the hospital and the water supply that were promised before the last election "
    "analysts expect a long debate because the opposition has asked for a full audit of every "
    "contract signed since the spring and several groups have called for public hearings"
)
WORDS = PROSE.split()
POLICY = (
    "Comments are welcomed and encouraged. Though you are fully responsible for the content "
    "you post, comments that include profanity, personal attacks or other inappropriate "
    "material will not be permitted. Asbarez reserves the right to block users who violate "
    "any of our posting standards and policies."
)
# A few comments carry words or links the moderation policy holds, as real archives do.
SPICE = ["What an idiot.", "Visit http://a.example and http://b.example for more.", ""]


@dataclass
class Archive:
    """What was generated, to print next to the timings."""

    folder: Path
    dumps: int = 0
    front_matter: int = 0
    articles: int = 0
    quotes: int = 0
    comments: int = 0
    pingbacks: int = 0
    big_thread: int = 0  # the comments of the one long thread, if there is one
    big_thread_file: Path | None = None
    files: list[Path] = field(default_factory=list)


def sentence(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(WORDS))
    text = " ".join(WORDS[(start + i) % len(WORDS)] for i in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 22)) for _ in range(sentences))


def headline(rng: random.Random, index: int) -> str:
    # The number keeps every title, and so every slug, unique across the archive.
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, No. {index}"


def commenter(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.5:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if style < 0.8:
        return rng.choice(FIRST)
    if style < 0.9:
        return rng.choice(FIRST)[0] + rng.choice(LAST)[0]  # initials, like "SA"
    return rng.choice(FIRST) + rng.choice(LAST).replace(" ", "")


def page_dump(rng: random.Random, index: int, count: int) -> str:
    """A scraped page: title, caption, dateline, body, policy, ``count`` numbered comments
    and a pingback."""
    lines = [headline(rng, index), "", f"A photo from {rng.choice(CITIES).title()}", ""]
    lines += [f"{rng.choice(CITIES)}—{paragraph(rng, 2)}", ""]
    for n in range(rng.randint(4, 9)):
        if n == 3:
            lines += [f"{rng.choice(SUBJECTS)} Speak Out", ""]
        lines += [paragraph(rng, rng.randint(1, 4)), ""]
    lines += ["Discussion Policy", "", POLICY, "", ""]
    for position in range(1, count + 1):
        lines += [f"  {position}. {commenter(rng)} said:", ""]
        for part in range(rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0]):
            body = paragraph(rng, rng.randint(1, 3))
            if part == 0 and rng.random() < 0.05:
                body += " " + rng.choice(SPICE)
            lines += [f"    {line}" for line in body_lines(rng, body)] + [""]
    lines.append(f"  {count + 1}. Pingback: {headline(rng, index)} - Passportdiva")
    return "\n".join(lines) + "\n"


def body_lines(rng: random.Random, text: str) -> list[str]:
    """Some comments were typed with hard line breaks; most as one long line."""
    if rng.random() < 0.8:
        return [text]
    words = text.split()
    return [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML one


def yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(yaml_string(v) for v in values) + "]"


def front_matter_file(rng: random.Random, index: int) -> tuple[str, bool]:
    """A Hugo-style Markdown file: an article in a section, or a quick quote."""
    quote = rng.random() < 0.3
    title = headline(rng, index)
    slug = title.lower().replace(",", "").replace(".", "").replace(" ", "-")
    when = f"{rng.randint(2012, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    moment = f"{when}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00:00"
    aliases = [f"article/{slug}/"] + ([f"/{when[:4]}/{when[5:7]}/{slug}/"] * (index % 3 == 0))
    lines = [
        "---",
        f"title: {yaml_string(title)}",
        f"description: {yaml_string(sentence(rng, 18))}",
        "aliases:",
        *(f"  - {yaml_string(alias)}" for alias in aliases),
        "published: true",
        f"date: '{moment}'",
        f"publishDate: '{moment}'" if rng.random() < 0.8 else "publishDate: ''",
        f"lastmod: '{when}T23:00:00+00:00'" if rng.random() < 0.5 else "lastmod: ''",
        f"tags: {yaml_list(rng.sample(TAGS, rng.randint(0 if quote else 1, 4)))}",
        f"post_author: {yaml_list([commenter(rng) for _ in range(rng.randint(0, 2))])}",
        f"section: {'quickquotes' if quote else rng.choice(SECTIONS)}",
        f"is_breaking: {'true' if rng.random() < 0.02 else 'false'}",
        "featured_image:",
        f"  image: 'https://example.com/uploads/{when[:4]}/{index}.jpg'",
        f"  alt: {yaml_string(sentence(rng, 6))}",
    ]
    if quote:
        lines += [
            "featured_quote:",
            f"  quote: {yaml_string(sentence(rng, 20))}",
            f"  summary: {yaml_string(sentence(rng, 12))}",
            f"  citation: {yaml_string(rng.choice(['', 'Radio interview', 'https://x.example/q']))}",
        ]
    lines.append("---")
    body = []
    for n in range(rng.randint(3, 8)):
        if n == 2:
            body.append("\n".join(f"*   {sentence(rng, 10)}" for _ in range(3)))
        elif n == 4:
            body.append(f"## {rng.choice(SUBJECTS)} and the *{rng.choice(OBJECTS)}*")
        else:
            body.append(paragraph(rng, rng.randint(1, 4)) + " [More](https://example.com/more)")
    return "\n".join(lines) + "\n" + "\n\n".join(body) + "\n", quote


def big_thread_index(files: int) -> int:
    """Where the long thread goes: a page dump (an even index) in the first quarter of the
    archive, so that the quarter bench/import_archive.py also imports holds it too."""
    return files // 8 // 2 * 2


def generate(folder: Path, files: int, comments: int, seed: int, big_thread: int = 0) -> Archive:
    """Write the archive: ``files`` files holding ``comments`` reader comments, of which one
    page dump holds ``big_thread`` (none without). The other dumps hold about as many each;
    the last dump takes what rounding left, so the total is exact. File i depends only on
    (seed, i) and its number of comments."""
    archive = Archive(folder)
    folder.mkdir(parents=True, exist_ok=True)
    big_at = big_thread_index(files) if big_thread else -1
    last_dump = (files - 1) // 2 * 2
    others = (files + 1) // 2 - (big_at >= 0)
    per_dump = round((comments - big_thread) / others)
    for index in range(files):
        rng = random.Random(seed * 1_000_003 + index)
        if index % 2 == 0:
            if index == big_at:
                count = big_thread
            elif index == last_dump:
                count = max(1, comments - archive.comments)
            else:
                count = max(1, per_dump + (index % 9) - 4)  # averages per_dump over 9 dumps
            text = page_dump(rng, index, count)
            suffix = ".txt"
            archive.dumps += 1
            archive.articles += 1
            archive.comments += count
            archive.pingbacks += 1
        else:
            text, quote = front_matter_file(rng, index)
            suffix = ".md"
            archive.front_matter += 1
            archive.quotes += quote
            archive.articles += not quote
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = folder / f"{index // 1000:02d}" / f"{index:05d}_{digest}{suffix}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        archive.files.append(path)
        if index == big_at:
            archive.big_thread, archive.big_thread_file = big_thread, path
    return archive


def subset(archive: Archive, folder: Path, files: int) -> Path:
    """The archive's first `files` files, hard-linked (copied where links are refused)."""
    for path in archive.files[:files]:
        target = folder / path.relative_to(archive.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    return folder
