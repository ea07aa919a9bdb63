"""The table tokenizer: one cell per line, rows of cells, item numbers that look like figures."""
from auditor.tables.tokens import NumTok, Run, TextTok, tokenize


def _read(text: str):
    return tokenize(text, 0, len(text))


def test_lone_figures_with_blank_lines_between_are_one_run_with_their_offsets():
    text = "7\n\n0\n\n 12 \n\t\n3.5\n"
    assert _read(text) == [Run((NumTok(0, 1, "7"), NumTok(3, 4, "0"), NumTok(7, 9, "12"), NumTok(13, 16, "3.5")))]


def test_a_lone_figure_followed_by_an_item_label_is_the_item_number_not_a_cell():
    text = "5\n\n0\n4\n.保护第三方\n"
    assert _read(text) == [Run((NumTok(0, 1, "5"), NumTok(3, 4, "0"))), TextTok(5, 6), TextTok(7, 13)]


def test_run_together_cells_keep_their_figures_and_give_up_the_item_number():
    assert _read("00\n14\n、保护\n") == [Run((NumTok(0, 2, "00"),)), Run((NumTok(3, 4, "1"),)), TextTok(4, 5),
                                          TextTok(6, 9)]


def test_a_figure_between_tabs_is_a_row_of_cells_blank_ones_included():
    assert _read("自然人\t5\t\n") == [TextTok(0, 3), Run((NumTok(4, 5, "5"), NumTok(6, 6, "")))]
