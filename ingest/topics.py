"""Topic sections for text without headings (a plan whose headings were lost).

Two passes over the paragraph sequence, both keyword scoring + Viterbi smoothing (a penalty
for every switch, so sections are contiguous blocks):
1. the plan's *parts* (总述 -> 发展回顾 -> 形势与问题 -> 指导思想与目标 -> 主要任务 -> 保障措施),
   kept in this order; cues are part vocabulary and tense (了/已/累计 for the review,
   推进/加强/力争 for tasks);
2. inside the review and the tasks, the *field* (环境卫生, 市容, 市政设施, 供水排水, 燃气, 停车,
   数字城管, 执法, …). Lexicons are plain data, so other plan types can bring their own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[tuple[str, float], ...]
    subdivide: bool = False          # parts only: split this part further by field


def _kw(spec: str) -> tuple[tuple[str, float], ...]:
    """'词:2 词 词:0.5' -> ((词, 2.0), (词, 1.0), (词, 0.5))"""
    out = []
    for tok in spec.split():
        w, _, n = tok.partition(":")
        out.append((w, float(n) if n else 1.0))
    return tuple(out)


PARTS: tuple[Topic, ...] = (
    Topic("总述", _kw("本规划:3 规划范围:3 规划期限:3 编制:1.5 依据:1.5 印发:3 指导意见:1 "
                      "规划衔接:2 基期:2 贯彻执行:2 贯彻实施:2 同意:1 重要依托:1.5")),
    Topic("发展回顾", _kw("“十三五”期间:3 “十三五”:1 过去五年:3 以来:0.5 了:0.8 已:0.7 累计:1.5 "
                          "先后:1 被评为:2 荣获:2 获得:0.7 取得:1.5 成效:1.5 成绩:1.5 显著:1 "
                          "顺利完成:2 完成:0.5 达到:0.3 新增:0.7")),
    Topic("形势与问题", _kw("形势:3 机遇:3 挑战:3 短板:2 不足:1.5 问题:0.7 趋势:2 面临:2 "
                            "有待:2 差距:2 瓶颈:2 仍:0.7 尚:0.7")),
    Topic("指导思想与目标", _kw("指导思想:4 基本原则:4 发展目标:4 总体目标:4 主要目标:3 "
                                "坚持:1 理念:1.5 愿景:2 远景:2 思维:1 以人民为中心:2 导向:1 "
                                "主要指标:3 预期性:2 约束性:2")),
    Topic("主要任务", _kw("推进:0.7 加强:0.7 加快:0.7 完善:0.5 健全:0.5 深化:0.7 持续:0.7 "
                          "进一步:1 力争:1.5 到2025年:1.5 “十四五”:0.7 计划:0.5 将:0.3 "
                          "建立:0.5 提升:0.3 打造:0.5 实施:0.3 探索:0.5 构建:0.5"), subdivide=True),
    Topic("保障措施", _kw("保障措施:4 保障:1 资金:2 财政:2.5 投入:1 投融资:3 社会资本:2.5 "
                          "PPP:2 法规:1.5 规章:2 立法:2 标准规范:1.5 宣传:2 舆论:2.5 舆情:2.5 "
                          "媒体:1.5 智库:2 专家:1 组织领导:3 事权:2 财权:2 人才:1 队伍:0.7 "
                          "招考:1.5 培训:0.7")),
)

FIELDS: tuple[Topic, ...] = (
    Topic("精细化管理", _kw("精细化:2 品牌:1.5 标杆:1.5 辞典:2 补短板:2 示范:1 样板:1.5 "
                            "标准化:1 全周期:1.5 体检:1.5 评选:1")),
    Topic("市容环境", _kw("市容:3 景观:2 照明:2.5 亮化:2.5 亮灯:2 广告:2 招牌:2 店招:2 街容:2.5 "
                          "立面:2 城市家具:2.5 无障碍:2.5 序化:2 洁化:2 靓化:2 美化:1.5 "
                          "河道:1.5 绿化:1 园林:1.5 公园:1 绿地:1.5 亚运:1 观赛:1.5 "
                          "环境整治:1.5 示范街:2")),
    Topic("环境卫生与垃圾治理", _kw("垃圾:2 环卫:2.5 保洁:2 公厕:2.5 厕所:2 分类:1 焚烧:2 "
                                    "固废:2.5 渣土:2 再生资源:2.5 餐厨:2 减量:1.5 消纳:2 "
                                    "填埋:2 无废:2 碳达峰:1.5 碳中和:1.5 清洁:1")),
    Topic("市政设施与城市安全", _kw("道路:1.5 桥梁:2 隧道:2 管廊:2.5 地下:1.5 塌陷:2.5 "
                                    "市政设施:2.5 轨道交通:2 防汛:2 防台:2 排涝:2 内涝:2 "
                                    "应急:1.5 韧性:2 安全:0.7 泵站:2 疫情:1.5 风险:1 隐患:1.5")),
    Topic("供水排水与节水", _kw("供水:3 排水:2.5 污水:2.5 水厂:2.5 漏损:2.5 节水:3 水质:2 "
                                "二次供水:2.5 用水:1.5 污泥:2")),
    Topic("燃气", _kw("燃气:3 天然气:3 LNG:3 气源:3 瓶装:2.5 液化:2 储气:2.5 管输:2")),
    Topic("停车与非机动车", _kw("停车:3 泊位:3 非机动车:3 自行车:2.5 单车:2.5 车位:2")),
    Topic("数字城管与智慧治理", _kw("数字化:2.5 数字:1.5 智慧:2 平台:1 大脑:2 数据:1.5 "
                                    "感知:2 物联网:2 信息化:2 系统集成:2 场景:1.5 智能:1.5 "
                                    "驾驶舱:2 掌上:1.5 CIM:2")),
    Topic("综合行政执法", _kw("执法:2.5 综合行政执法:3 违法:2 处罚:2 执法队伍:2 执法体制:2.5 "
                              "法治:1 案件:1.5 监管:0.5")),
    Topic("党建与队伍建设", _kw("党建:3 党组织:3 党的:1.5 队伍:2 干部:2 培训:1.5 人才:2 "
                                "作风:2 驿站:1.5 廉洁:2")),
    Topic("协同治理与基层治理", _kw("协同:2 共治:2 基层:1.5 街镇:2 社区:1.5 城乡统筹:2 "
                                    "属地:2 联动:1.5 一体化:0.5 公众参与:2 市民参与:2")),
)
PART_PENALTY = 4.0        # log-score cost of starting a new part
FIELD_PENALTY = 2.5       # ... of starting a new field block
SMOOTH = 0.5              # added to every topic's score before normalising


def score_paragraph(text: str, topics: tuple[Topic, ...]) -> list[float]:
    scores = []
    for t in topics:
        s = 0.0
        for w, weight in t.keywords:
            n = text.count(w)
            if n:
                s += weight * (1 + math.log(n))
        scores.append(s)
    return scores


def viterbi(texts: list[str], topics: tuple[Topic, ...], penalty: float,
            allowed: Optional[Callable[[int, int], bool]] = None) -> list[int]:
    """Best topic sequence: sum of log emission shares minus `penalty` per switch;
    allowed(i, j) says whether topic j may follow topic i."""
    if not texts:
        return []
    n_t = len(topics)
    emis = []
    for text in texts:
        sc = score_paragraph(text, topics)
        tot = sum(sc) + SMOOTH * n_t
        emis.append([math.log((s + SMOOTH) / tot) for s in sc])
    best = list(emis[0])
    back: list[list[int]] = []
    for row in emis[1:]:
        nb, bk = [], []
        for j in range(n_t):
            v, i = max((best[i] - (0.0 if i == j else penalty), i) for i in range(n_t)
                       if i == j or allowed is None or allowed(i, j))
            nb.append(v + row[j])
            bk.append(i)
        best, _ = nb, back.append(bk)
    j = max(range(n_t), key=lambda k: best[k])
    path = [j]
    for bk in reversed(back):
        j = bk[j]
        path.append(j)
    return path[::-1]


def blocks(labels: list[int]) -> list[tuple[int, int, int]]:
    """[(first, last, label)] runs of equal labels."""
    out, i = [], 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        out.append((i, j, labels[i]))
        i = j + 1
    return out


def assign_parts(texts: list[str]) -> list[int]:
    return viterbi(texts, PARTS, PART_PENALTY, allowed=lambda i, j: j >= i)


def assign_fields(texts: list[str]) -> list[int]:
    return viterbi(texts, FIELDS, FIELD_PENALTY)
